using System.Globalization;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Cli.Commands;

/// <summary><c>memcacheops keys</c>: the same as Get-MemcacheKeys.</summary>
public sealed class KeysCommand : ICommand
{
    public string Name => "keys";

    public string Summary => "List the keys of a server (one per line), or count them with --count.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. CommonOptions.Connection,
        new("pattern", OptionKind.Value, "Only keys matching this wildcard (* ? [a-z]) or, with --regex, regular expression.") { ValueName = "PATTERN" },
        new("regex", OptionKind.Flag, "Treat --pattern and --exclude as regular expressions."),
        CommonOptions.Exclude,
        new("slab-class", OptionKind.List, "Only items of these slab classes.") { ValueName = "ID" },
        new("expiring-before", OptionKind.Value, "Only items that expire before TIME (ISO 8601 or seconds from now).") { ValueName = "TIME" },
        new("expiring-after", OptionKind.Value, "Only items that live past TIME, never-expiring ones included.") { ValueName = "TIME" },
        new("first", OptionKind.Value, "Stop after N matching keys per server.") { ValueName = "N" },
        new("count", OptionKind.Flag, "Print only the number of matching items.", "count-only"),
        CommonOptions.ListingMethod,
        new("spill-directory", OptionKind.Value, "Folder for the listing's spill file when output is slower than the server (default: temp).") { ValueName = "DIR" },
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var regex = args.Flag("regex");
        var request = new KeyListingRequest
        {
            Servers = CommonOptions.Servers(args),
            Filter = new KeyFilter(args.Value("pattern"), regex,
                args.List("slab-class").Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--slab-class needs class ids (1-63), not '{s}'.")).ToList(),
                args.Time("expiring-before"), args.Time("expiring-after"), args.Value("exclude"), regex),
            First = args.Long("first"),
            CountOnly = args.Flag("count"),
            Listing = new ListingOptions
            {
                Method = args.Enum<ListingMethod>("method") ?? ListingMethod.Auto,
                SpillDirectory = args.Value("spill-directory"),
                Connection = CommonOptions.ConnectionOptions(args),
            },
        };
        var sink = new ConsoleSink(console, args.Flag("json"), Format, args.Flag("quiet"));
        await KeyListingService.RunAsync(request, sink, cancellationToken).ConfigureAwait(false);
        return sink.ErrorCount > 0 ? ExitCodes.Error : ExitCodes.Success;
    }

    private static void Format(object result, TextWriter w)
    {
        switch (result)
        {
            case MemcacheKeyInfo key:
                w.WriteLine(key.Key);
                break;
            case KeyCountResult count:
                w.WriteLine(count.Count.ToString(CultureInfo.InvariantCulture));
                break;
            default:
                w.WriteLine(result);
                break;
        }
    }
}
