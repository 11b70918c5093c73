using System.Globalization;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Cli.Commands;

/// <summary><c>memcacheops stats</c>: the same as Get-MemcacheStats.</summary>
public sealed class StatsCommand : ICommand
{
    public string Name => "stats";

    public string Summary => "Show server statistics (one summary per server, a stats group, or per-interval rates).";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. CommonOptions.Connection,
        new("group", OptionKind.Value, "Stats group: general (default), slabs, items, settings, conns.") { ValueName = "GROUP" },
        new("interval", OptionKind.Value, "Sample every SECONDS and print rates (gets/s, sets/s, hit ratio, evictions/s, bytes in/out per s).") { ValueName = "SECONDS" },
        new("count", OptionKind.Value, "Number of samples with --interval (default: until Ctrl+C).") { ValueName = "N" },
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var options = new StatsOptions
        {
            Servers = CommonOptions.Servers(args),
            Group = args.Enum<StatsGroup>("group") ?? StatsGroup.General,
            Interval = args.Seconds("interval"),
            Count = args.Int("count"),
            Connection = CommonOptions.ConnectionOptions(args),
        };
        if (options.Count is not null && options.Interval is null)
            throw new UsageException("--count needs --interval.");
        var sink = new ConsoleSink(console, args.Flag("json"), Format, args.Flag("quiet"));
        await StatsService.RunAsync(options, sink, cancellationToken).ConfigureAwait(false);
        return sink.ErrorCount > 0 ? ExitCodes.Error : ExitCodes.Success;
    }

    private static void Format(object result, TextWriter w)
    {
        var c = CultureInfo.InvariantCulture;
        switch (result)
        {
            case ServerStats s:
                w.WriteLine(string.Create(c, $"{s.Server}  memcached {s.Version}  pid {s.Pid}  up {Formatting.Duration(s.Uptime)}  clock skew {s.ClockSkew.TotalSeconds:+0;-0;0} s"));
                w.WriteLine(string.Create(c, $"  memory   {Formatting.Bytes(s.BytesUsed)} of {Formatting.Bytes(s.LimitBytes)} ({s.MemoryUsedPercent:0.0}%)"));
                w.WriteLine(string.Create(c, $"  items    {s.CurrentItems:N0} current, {s.TotalItems:N0} total"));
                w.WriteLine(string.Create(c, $"  reads    hit ratio {(s.HitRatio is { } h ? h.ToString("P1", c) : "n/a")}, {s.GetHits:N0} hits, {s.GetMisses:N0} misses"));
                w.WriteLine(string.Create(c, $"  evicted  {s.Evictions:N0} (unfetched {s.EvictedUnfetched:N0}); expired unfetched {s.ExpiredUnfetched:N0}"));
                w.WriteLine(string.Create(c, $"  conns    {s.CurrentConnections:N0} current, {s.TotalConnections:N0} total, {s.RejectedConnections:N0} rejected"));
                w.WriteLine(string.Create(c, $"  commands get {s.CmdGet:N0}, set {s.CmdSet:N0}, touch {s.CmdTouch:N0}, flush {s.CmdFlush:N0}"));
                break;
            case StatsSample r:
                w.WriteLine(string.Create(c, $"{r.Timestamp:HH:mm:ss} {r.Server}  gets {Formatting.Rate(r.GetsPerSecond)}  sets {Formatting.Rate(r.SetsPerSecond)}  hit {(r.HitRatio is { } h2 ? h2.ToString("P1", c) : "n/a")}  evict {Formatting.Rate(r.EvictionsPerSecond)}  in {Formatting.Bytes(r.BytesReadPerSecond)}/s  out {Formatting.Bytes(r.BytesWrittenPerSecond)}/s  items {r.CurrentItems:N0}"));
                break;
            case SlabClassStats sl:
                w.WriteLine(string.Create(c, $"{sl.Server} class {sl.ClassId,2}  chunk {Formatting.Bytes(sl.ChunkSize),9}  pages {sl.TotalPages,5}  used {sl.UsedChunks,9:N0}  free {sl.FreeChunks,9:N0}"));
                break;
            case ItemClassStats it:
                w.WriteLine(string.Create(c, $"{it.Server} class {it.ClassId,2}  items {it.Number,10:N0}  age {Formatting.Duration(it.Age),8}  evicted {it.Evicted,8:N0}  oom {it.OutOfMemory,5:N0}"));
                break;
            case ServerSettings st:
                foreach (var (name, value) in st.Raw)
                    w.WriteLine($"{st.Server} {name} {value}");
                break;
            case ConnectionStats cs:
                w.WriteLine(string.Create(c, $"{cs.Server} fd {cs.Descriptor,4}  {cs.Address,-28} {cs.State,-18} idle {cs.SecondsSinceLastCommand} s"));
                break;
            default:
                w.WriteLine(result);
                break;
        }
    }
}
