using System.Globalization;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Cli.Commands;

/// <summary><c>memcacheops compare</c>: the same as Compare-MemcacheData. Exit code 0 when equal, 1 when different, 2 on error.</summary>
public sealed class CompareCommand : ICommand
{
    public string Name => "compare";

    public string Summary => "Compare servers, rings and dumps; print only the differences (exit 0 equal, 1 different, 2 error).";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("reference", OptionKind.List, "The reference: server(s) as H:P (comma-separated or repeated; several form a ketama ring) or the path of a dump.") { ValueName = "H:P|PATH" },
        new("difference", OptionKind.List, "What is checked against the reference: server(s) or a dump path, as for --reference.", "server") { ValueName = "H:P|PATH" },
        new("reference-path", OptionKind.Value, "The reference is this dump (folder or data file), even if the text could be a server name.") { ValueName = "PATH" },
        new("difference-path", OptionKind.Value, "The difference side is this dump.") { ValueName = "PATH" },
        new("sample", OptionKind.Value, "Check only this fraction of keys (0-1], chosen by key hash so reruns check the same keys.") { ValueName = "FRACTION" },
        new("summary", OptionKind.Flag, "Print only the summary, not one line per difference."),
        new("ttl-tolerance", OptionKind.Value, "Remaining TTLs within this many seconds are equal. Default 2.") { ValueName = "SECONDS" },
        .. RingCliOptions.All,
        new("connections", OptionKind.Value, "Connections per server. Default 4.") { ValueName = "N" },
        new("batch-size", OptionKind.Value, "Keys per pipelined batch. Default 100.") { ValueName = "N" },
        CommonOptions.Window,
        new("max-ops-per-second", OptionKind.Value, "Limit operations per second per server.") { ValueName = "N" },
        new("max-bytes-per-second", OptionKind.Value, "Limit the value bytes per second each server sends (the values read), over all its connections; headers are not counted.") { ValueName = "N" },
        new("spill-directory", OptionKind.Value, "Folder for listing spill files when comparing is slower than listing (default: temp).") { ValueName = "DIR" },
        KeyOptions.Key,
        KeyOptions.KeyFile,
        CommonOptions.Json,
        CommonOptions.ConnectTimeout,
        CommonOptions.Timeout,
        CommonOptions.Quiet,
        .. CommonOptions.Security,
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var keys = KeyOptions.Build(args, out var keyOwner);
        using var _ = keyOwner;
        var options = new ComparisonOptions
        {
            Keys = keys,
            Reference = Side(args, "reference"),
            Difference = Side(args, "difference"),
            Sample = args.Double("sample"),
            Summary = args.Flag("summary"),
            TtlTolerance = args.Long("ttl-tolerance") ?? 2,
            Ring = RingCliOptions.Build(args),
            Connections = args.Int("connections") ?? 4,
            BatchSize = args.Int("batch-size") ?? 100,
            Window = args.Int("window") ?? 4,
            MaxOperationsPerSecond = args.Double("max-ops-per-second"),
            MaxBytesPerSecond = args.Double("max-bytes-per-second"),
            Listing = new ListingOptions { SpillDirectory = args.Value("spill-directory") },
            Connection = CommonOptions.ConnectionOptions(args),
        };
        var sink = new ConsoleSink(console, args.Flag("json"), Format, args.Flag("quiet"));
        var summary = await CompareService.RunAsync(options, sink, cancellationToken).ConfigureAwait(false);
        // With --summary the engine already emitted it; otherwise it closes the list of differences.
        if (!options.Summary)
            await sink.EmitAsync(summary, cancellationToken).ConfigureAwait(false);
        if (sink.ErrorCount > 0)
            return ExitCodes.Error;
        return summary.IsEqual ? ExitCodes.Success : ExitCodes.Different;
    }

    /// <summary>A side from --NAME (servers, or one existing path) or --NAME-path (always a dump).</summary>
    private static CompareSide Side(ParsedArguments args, string name)
    {
        var values = args.RawValues(name);
        var path = args.Value(name + "-path");
        if (path is not null && values.Count > 0)
            throw new UsageException($"Give --{name} or --{name}-path, not both.");
        if (path is not null)
            return CompareSide.FromPath(Path.GetFullPath(path));
        if (values.Count == 0)
            throw new UsageException($"--{name} is required: server(s) as H:P, or the path of a dump (or use --{name}-path).");
        return CompareSide.Resolve(values);
    }

    private static void Format(object result, TextWriter w)
    {
        var c = CultureInfo.InvariantCulture;
        switch (result)
        {
            case MemcacheDifference d:
                w.WriteLine(string.Create(c, $"{d.Kind,-13} {d.Key}  reference: {Describe(d.ReferenceSize, d.ReferenceFlags, d.ReferenceTtl, d.ReferenceServer)}; difference: {Describe(d.DifferenceSize, d.DifferenceFlags, d.DifferenceTtl, d.DifferenceServer)}"));
                break;
            case CompareSummary s:
                var sampled = s.SampledFraction < 1 ? string.Create(c, $", sampled {s.SampledFraction * 100:0.###}% of keys") : string.Empty;
                w.WriteLine(s.IsEqual
                    ? string.Create(c, $"equal: {s.Compared:N0} keys compared, no differences ({s.Reference} vs {s.Difference}, {Formatting.Duration(s.Duration)}{sampled})")
                    : string.Create(c, $"different: {s.Differences:N0} of {s.Compared:N0} keys (missing {s.Missing:N0}, extra {s.Extra:N0}, value {s.ValueMismatch:N0}, flags {s.FlagsMismatch:N0}, ttl {s.TtlMismatch:N0}) ({s.Reference} vs {s.Difference}, {Formatting.Duration(s.Duration)}{sampled})"));
                foreach (var note in s.Notes)
                    w.WriteLine("  note: " + CliWording.ForCli(note));
                break;
            default:
                w.WriteLine(result);
                break;
        }
    }

    private static string Describe(long? size, uint? flags, long? ttl, string? server)
    {
        var where = server is null ? string.Empty : " on " + server;
        if (flags is null)
            return "absent" + where;
        var c = CultureInfo.InvariantCulture;
        var life = ttl is null or < 0 ? "never expires" : string.Create(c, $"ttl {ttl}s");
        return string.Create(c, $"{(size is { } n ? n.ToString("N0", c) : "?")} bytes, flags {flags}, {life}{where}");
    }
}
