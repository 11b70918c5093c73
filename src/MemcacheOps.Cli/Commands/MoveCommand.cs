using System.Globalization;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Move;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Cli.Commands;

/// <summary><c>memcacheops move</c>: the same as Move-MemcacheNode.</summary>
public sealed class MoveCommand : ICommand
{
    public string Name => "move";

    public string Summary => "Copy items live from servers to servers (node replacement, ring changes, warming) with sync passes; no disk in between.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        CommonOptions.Json,
        CommonOptions.ConnectTimeout,
        CommonOptions.Timeout,
        CommonOptions.Quiet,
        new("source", OptionKind.List, "Server(s) to read from.", "server") { ValueName = "H:P" },
        new("destination", OptionKind.List, "Server(s) to write to; also the new ring unless --ring-server is given.") { ValueName = "H:P" },
        new("ring-server", OptionKind.List, "The whole new ring or pool, in the clients' order, when --destination is only part of it: only keys owned by a destination are copied.") { ValueName = "H:P" },
        new("old-ring-server", OptionKind.List, "The ring before the change, for --only-moved (default: the sources).") { ValueName = "H:P" },
        new("only-moved", OptionKind.Flag, "Copy only keys whose owner differs between the old and the new ring."),
        new("mode", OptionKind.Value, "add (default: keep what the destination has) or set (overwrite). Keys changed since an earlier pass are always overwritten.") { ValueName = "MODE" },
        new("sync-deletes", OptionKind.Flag, "In later passes, delete on the destination keys that vanished from the source."),
        new("passes", OptionKind.Value, "At most N passes. Default 1.") { ValueName = "N" },
        new("change-threshold", OptionKind.Value, "Stop once a pass finds fewer than N changed keys. Default 1.") { ValueName = "N" },
        new("deadline", OptionKind.Value, "Start no pass after SECONDS from the start; also ends --continuous.") { ValueName = "SECONDS" },
        new("continuous", OptionKind.Flag, "Keep syncing until stopped (Ctrl+C) or the deadline, printing one status per pass."),
        new("pass-interval", OptionKind.Value, "Seconds between passes (default 0; 5 with --continuous).") { ValueName = "SECONDS" },
        new("max-ops-per-second", OptionKind.Value, "Limit operations per second per server (sources and destinations).") { ValueName = "N" },
        new("max-bytes-per-second", OptionKind.Value, "Limit the value bytes per second each source sends and each destination receives, over all its connections.") { ValueName = "N" },
        new("force", OptionKind.Flag, "Move even when a destination is too small to hold its share without evicting."),
        new("eviction-policy", OptionKind.Value, "When a destination evicts during the move: continue (default, report), pause (hold writes until evictions stop) or abort (fail it).") { ValueName = "POLICY" },
        .. RingCliOptions.All,
        new("connections", OptionKind.Value, "Connections per source and per destination. Default 2.") { ValueName = "N" },
        new("batch-size", OptionKind.Value, "Keys per pipelined batch. Default 100.") { ValueName = "N" },
        CommonOptions.Window,
        new("what-if", OptionKind.Flag, "Print the plan (items and bytes per destination) and write nothing."),
        KeyOptions.Key,
        KeyOptions.KeyFile,
        .. CommonOptions.Security,
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var keys = KeyOptions.Build(args, out var keyOwner);
        using var _ = keyOwner;
        var options = Build(args) with { Keys = keys };
        var sink = new ConsoleSink(console, args.Flag("json"), Format, args.Flag("quiet"));
        if (args.Flag("what-if"))
        {
            foreach (var plan in await MoveService.PlanAsync(options, sink, cancellationToken).ConfigureAwait(false))
                await sink.EmitAsync(plan, cancellationToken).ConfigureAwait(false);
            return sink.ErrorCount > 0 ? ExitCodes.Error : ExitCodes.Success;
        }
        var results = await MoveService.RunAsync(options, sink, cancellationToken).ConfigureAwait(false);
        foreach (var result in results)
            await sink.EmitAsync(result, CancellationToken.None).ConfigureAwait(false);
        return results.All(r => r.Status == MoveStatus.Successful) ? ExitCodes.Success : ExitCodes.Error;
    }

    private static MoveOptions Build(ParsedArguments args)
    {
        var mode = args.Enum<StoreMode>("mode") ?? StoreMode.Add;
        if (mode == StoreMode.Replace)
            throw new UsageException("--mode must be add or set for a move.");
        var ring = args.List("ring-server");
        var oldRing = args.List("old-ring-server");
        return new MoveOptions
        {
            Sources = CommonOptions.Servers(args, "source"),
            Destinations = CommonOptions.Servers(args, "destination"),
            RingServers = ring.Count > 0 ? KetamaNode.ParseList(ring) : null,
            OldRingServers = oldRing.Count > 0 ? KetamaNode.ParseList(oldRing) : null,
            OnlyMoved = args.Flag("only-moved"),
            Mode = mode,
            SyncDeletes = args.Flag("sync-deletes"),
            Passes = args.Int("passes") ?? 1,
            ChangeThreshold = args.Long("change-threshold") ?? 1,
            Deadline = args.Seconds("deadline"),
            Continuous = args.Flag("continuous"),
            PassInterval = args.Seconds("pass-interval"),
            MaxOperationsPerSecond = args.Double("max-ops-per-second"),
            MaxBytesPerSecond = args.Double("max-bytes-per-second"),
            Force = args.Flag("force"),
            EvictionPolicy = args.Enum<MoveEvictionPolicy>("eviction-policy") ?? MoveEvictionPolicy.Continue,
            Ring = RingCliOptions.Build(args),
            Connections = args.Int("connections") ?? 2,
            BatchSize = args.Int("batch-size") ?? 100,
            Window = args.Int("window") ?? 4,
            Connection = CommonOptions.ConnectionOptions(args),
        };
    }

    private static void Format(object result, TextWriter w)
    {
        var c = CultureInfo.InvariantCulture;
        switch (result)
        {
            case MovePlan p:
                var memory = p.Problem is not null
                    ? "cannot be read: " + p.Problem
                    : string.Create(c, $"{Formatting.Bytes(p.FreeBytes)} free of {Formatting.Bytes(p.LimitBytes)}{(p.Fits ? "" : " - TOO SMALL, would evict (refused without --force)")}");
                w.WriteLine(string.Create(c, $"would move {p.Items:N0} items ({Formatting.Bytes(p.Bytes)}, {Formatting.Bytes(Math.Max(0, p.MemoryNeeded))} of slab memory) from {p.Source} to {p.Destination}; {memory}"));
                break;
            case MovePassStatus s:
                w.WriteLine(string.Create(c, $"pass {s.Pass}: {s.Changed:N0} changed, {s.Copied:N0} copied, {s.Deleted:N0} deleted, {s.Failed:N0} failed in {Formatting.Duration(s.Duration)}; residual {s.Residual:N0}"));
                break;
            case MoveResult r:
                w.WriteLine(string.Create(c, $"{(r.Status == MoveStatus.Successful ? "done" : r.Status.ToString().ToUpperInvariant())}: {r.Source} -> {r.Destination} ({r.Mode.ToString().ToLowerInvariant()})"));
                w.WriteLine(string.Create(c, $"  copied {r.Copied:N0}, skipped {r.Skipped:N0}, failed {r.Failed:N0}, deleted {r.Deleted:N0}, missing {r.Missing:N0}; {Formatting.Bytes(r.Bytes)} sent"));
                w.WriteLine(string.Create(c, $"  {r.Passes} pass(es), residual {(r.Residual < 0 ? "unknown" : r.Residual.ToString("N0", c))}, evictions {r.Evictions:N0}, {Formatting.Duration(r.Duration)}"));
                foreach (var note in r.Notes)
                    w.WriteLine("  note: " + CliWording.ForCli(note));
                break;
            default:
                w.WriteLine(result);
                break;
        }
    }
}
