using System.Globalization;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Cli.Commands;

/// <summary><c>memcacheops import</c>: the same as Import-MemcacheData.</summary>
public sealed class ImportCommand : ICommand
{
    public string Name => "import";

    public string Summary => "Load dumps (MemcacheOps or cachemover folders, or data files) into servers, verifying checksums first.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. CommonOptions.Connection,
        new("path", OptionKind.List, "Dump folder(s) or data file(s).") { ValueName = "PATH" },
        new("mode", OptionKind.Value, "add (default: never overwrite data live traffic wrote), set or replace.") { ValueName = "MODE" },
        new("skip-checksum", OptionKind.Flag, "Load without verifying checksums first."),
        new("minimum-ttl", OptionKind.Value, "Skip items with less than SECONDS left to live.") { ValueName = "SECONDS" },
        new("ttl-override", OptionKind.Value, "Store every item with this TTL in seconds (0: never expires).") { ValueName = "SECONDS" },
        new("allow-incomplete", OptionKind.Flag, "Load the finished files of an incomplete dump."),
        new("ring-form", OptionKind.Value, "Ketama form for several targets: spymemcached (default; EVCache) or libmemcached (twemproxy).") { ValueName = "FORM" },
        new("points-per-server", OptionKind.Value, "Ketama points per server. Default 160.", "ketama-bucket-size") { ValueName = "N" },
        new("connections", OptionKind.Value, "Connections per target server. Default 2.") { ValueName = "N" },
        new("batch-size", OptionKind.Value, "Items per pipelined batch. Default 100.") { ValueName = "N" },
        new("window", OptionKind.Value, "Batches in flight per connection. Default 4.") { ValueName = "N" },
        new("file-parallelism", OptionKind.Value, "Data files read at the same time. Default 2.") { ValueName = "N" },
        new("max-ops-per-second", OptionKind.Value, "Limit store operations per second per target.") { ValueName = "N" },
        new("max-bytes-per-second", OptionKind.Value, "Limit bytes per second per target.") { ValueName = "N" },
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var paths = args.List("path");
        if (paths.Count == 0)
            throw new UsageException("--path is required.");
        var options = new ImportOptions
        {
            Paths = paths,
            Servers = CommonOptions.Servers(args),
            Mode = args.Enum<StoreMode>("mode") ?? StoreMode.Add,
            SkipChecksum = args.Flag("skip-checksum"),
            MinimumTtl = args.Long("minimum-ttl") ?? 0,
            TtlOverride = args.Long("ttl-override"),
            AllowIncomplete = args.Flag("allow-incomplete"),
            RingForm = args.Enum<KetamaForm>("ring-form") ?? KetamaForm.Spymemcached,
            PointsPerServer = args.Int("points-per-server") ?? KetamaRing.DefaultPointsPerServer,
            Connections = args.Int("connections") ?? 2,
            BatchSize = args.Int("batch-size") ?? 100,
            Window = args.Int("window") ?? 4,
            FileParallelism = args.Int("file-parallelism") ?? 2,
            MaxOperationsPerSecond = args.Double("max-ops-per-second"),
            MaxBytesPerSecond = args.Double("max-bytes-per-second"),
            Connection = CommonOptions.ConnectionOptions(args),
        };
        var sink = new ConsoleSink(console, args.Flag("json"), Format, args.Flag("quiet"));
        var result = await ImportService.RunAsync(options, sink, cancellationToken).ConfigureAwait(false);
        await sink.EmitAsync(result, cancellationToken).ConfigureAwait(false);
        return sink.ErrorCount > 0 || !result.Success ? ExitCodes.Error : ExitCodes.Success;
    }

    private static void Format(object result, TextWriter w)
    {
        var c = CultureInfo.InvariantCulture;
        if (result is not ImportResult r)
        {
            w.WriteLine(result);
            return;
        }
        w.WriteLine(string.Create(c, $"{(r.Success ? "done" : "WITH FAILURES")}: {r.Path} -> {r.Server} ({r.Mode.ToString().ToLowerInvariant()})"));
        w.WriteLine(string.Create(c, $"  read {r.Read:N0}, stored {r.Stored:N0}, already present {r.AlreadyPresent:N0}, absent {r.Absent:N0}, expired {r.Expired:N0}, too large {r.TooLarge:N0}, failed {r.Failed:N0}"));
        w.WriteLine(string.Create(c, $"  {Formatting.Bytes(r.Bytes)} from {r.Files} files, {Formatting.Duration(r.Duration)}, {Formatting.Rate(r.ItemsPerSecond)}, {r.MegabytesPerSecond:0.0} MB/s"));
        foreach (var file in r.FailedFiles)
            w.WriteLine("  not loaded: " + file);
        foreach (var note in r.Notes)
            w.WriteLine("  note: " + note);
    }
}
