using System.Globalization;
using MemcacheOps.Adapters.Latency;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Verification.Latency;

namespace MemcacheOps.Cli.Commands;

/// <summary>
/// <c>memcacheops latency</c>: the same as Measure-MemcacheLatency. Exit 0 when every threshold held, 1 when one
/// failed (or a read returned a value that was not written), 2 when the run could not happen or had to stop.
/// </summary>
public sealed class LatencyCommand : ICommand
{
    public string Name => "latency";

    public string Summary => "Measure latency under a scheduled load (open loop) or at full speed; thresholds set the exit code (0 passed, 1 failed, 2 error).";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        // The shared connection options (server, timeouts, and whatever the transport gains), as every verb has them.
        .. CommonOptions.Connection,
        new("target-rate", OptionKind.Value, "Requests per second in total, spread over servers and connections (default 1000). 0 runs closed loop at full speed.") { ValueName = "N" },
        new("duration", OptionKind.Value, "Seconds of measured load (default 10); the prefill and clean-up come on top.") { ValueName = "SECONDS" },
        new("connections", OptionKind.Value, "Connections per server (default 4).") { ValueName = "N" },
        new("pipeline", OptionKind.Value, "Requests a connection may have awaiting replies; closed loop keeps this many in flight (default 32).") { ValueName = "N" },
        new("mix", OptionKind.Value, "Operations and weights, e.g. get=90,set=10 (default) or mg=80,ms=15,delete=3,touch=2.") { ValueName = "MIX" },
        new("key-count", OptionKind.Value, "Keys per server, all written before the measured phase (default 10000).") { ValueName = "N" },
        new("key-distribution", OptionKind.Value, "uniform (default), zipf (exponent 0.99) or sequential.") { ValueName = "KIND" },
        new("value-size", OptionKind.Value, "Bytes per value: 100 (default), a range 100-1000, or weights 100=80,4096=20.") { ValueName = "SIZE" },
        new("time-to-live", OptionKind.Value, "TTL of the run's keys in seconds (default: the duration plus 600; 0 never expires).", "ttl") { ValueName = "SECONDS" },
        new("verify-percent", OptionKind.Value, "Percent of reads whose value is checked against what was written (default 1).") { ValueName = "PERCENT" },
        new("interval-seconds", OptionKind.Value, "Print a line per server every SECONDS (rate, p50, p99, max, errors).") { ValueName = "SECONDS" },
        new("histogram-path", OptionKind.Value, "Write every interval's latency histogram to this HdrHistogram log (.hlog, microseconds).") { ValueName = "FILE" },
        new("max-p99-milliseconds", OptionKind.Value, "Fail (exit 1) when the p99 latency of any server or of all is above this.") { ValueName = "MS" },
        new("min-rate", OptionKind.Value, "Fail (exit 1) when the achieved rate of all servers is below this many requests per second.") { ValueName = "N" },
        new("max-error-rate", OptionKind.Value, "Fail (exit 1) when errors exceed this fraction of requests (0.01 = 1%) on any server or all.") { ValueName = "FRACTION" },
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var options = Build(args);
        var sink = new ConsoleSink(console, args.Flag("json"), Format, args.Flag("quiet"));
        var result = await LatencyService.RunAsync(options, new HdrLatencyHistogramFactory(), sink, cancellationToken).ConfigureAwait(false);
        return result.Passed ? ExitCodes.Success : ExitCodes.Different;
    }

    public static LatencyOptions Build(ParsedArguments args)
    {
        var defaults = new LatencyOptions { Servers = [] };
        return new LatencyOptions
        {
            Servers = CommonOptions.Servers(args),
            TargetRate = args.Double("target-rate") ?? defaults.TargetRate,
            Duration = args.Seconds("duration") ?? defaults.Duration,
            Connections = args.Int("connections") ?? defaults.Connections,
            Pipeline = args.Int("pipeline") ?? defaults.Pipeline,
            Mix = args.Value("mix") is { } mix ? OperationMix.Parse(mix) : defaults.Mix,
            KeyCount = args.Int("key-count") ?? defaults.KeyCount,
            KeyDistribution = args.Enum<KeyDistribution>("key-distribution") ?? defaults.KeyDistribution,
            ValueSize = args.Value("value-size") is { } size ? ValueSizeSpec.Parse(size) : defaults.ValueSize,
            TimeToLive = args.Int("time-to-live"),
            VerifyPercent = args.Double("verify-percent") ?? defaults.VerifyPercent,
            Interval = args.Seconds("interval-seconds"),
            HistogramPath = args.Value("histogram-path") is { } path ? Path.GetFullPath(path) : null,
            MaxP99Milliseconds = args.Double("max-p99-milliseconds"),
            MinRate = args.Double("min-rate"),
            MaxErrorRate = args.Double("max-error-rate"),
            Connection = CommonOptions.ConnectionOptions(args),
        };
    }

    /// <summary>Text output that fits 80 columns; --json has every figure.</summary>
    private static void Format(object result, TextWriter w)
    {
        var c = CultureInfo.InvariantCulture;
        switch (result)
        {
            case LatencyInterval i:
                w.WriteLine(string.Create(c, $"{i.Timestamp.ToLocalTime():HH:mm:ss} {i.Server} {i.Rate:N0}/s  p50 {Ms(i.P50)}  p99 {Ms(i.P99)}  max {Ms(i.Max)} ms  {i.Errors:N0} errors"));
                break;
            case LatencyResult r:
                WriteResult(r, w, c);
                foreach (var server in r.Servers.Where(s => !ReferenceEquals(s, r) && r.Servers.Count > 1))
                {
                    w.WriteLine();
                    WriteResult(server, w, c);
                }
                break;
            default:
                w.WriteLine(result);
                break;
        }
    }

    private static void WriteResult(LatencyResult r, TextWriter w, CultureInfo c)
    {
        var mode = r.Mode == "OpenLoop" ? string.Create(c, $"open loop {r.TargetRate:N0}/s") : "closed loop";
        w.WriteLine(string.Create(c, $"{r.Server}  {(r.Passed ? "PASSED" : "FAILED")}  {mode}, achieved {r.AchievedRate:N0}/s over {Formatting.Duration(r.Duration)}"));
        w.WriteLine($"  latency  {Percentiles(r.Latency, c)}");
        w.WriteLine($"  service  {Percentiles(r.ServiceTime, c)}");
        var hit = r.HitRatio is { } h ? h.ToString("P1", c) : "n/a";
        w.WriteLine(string.Create(c, $"  requests {r.Requests:N0} answered, {r.NotSent:N0} not sent; hits {hit}; {r.Verified:N0} verified"));
        w.WriteLine($"  errors   {r.ErrorCounts}");
        foreach (var op in r.ByOperation)
            w.WriteLine(string.Create(c, $"  {op.Operation,-8} {op.Count,10:N0}  hits {op.Hits:N0}  misses {op.Misses:N0}  p50 {Ms(op.Latency.P50)}  p99 {Ms(op.Latency.P99)} ms"));
        if (r.ServerDelta is { } d)
        {
            w.WriteLine(string.Create(c, $"  server   gets {d.Gets:N0}, hits {d.Hits:N0}, misses {d.Misses:N0}, sets {d.Sets:N0}, evictions {d.Evictions:N0}"));
            w.WriteLine(string.Create(c, $"           connections {d.ConnectionsBefore}->{d.ConnectionsAfter} ({d.NewConnections} new, {d.RejectedConnections} rejected), listen_disabled {d.ListenDisabled}"));
        }
        if (r.ClientCpuMicrosecondsPerRequest is { } cpu)
            w.WriteLine(string.Create(c, $"  client   {cpu:0.##} us CPU per request"));
        foreach (var failure in r.Failures)
            w.WriteLine("  failed:  " + failure);
    }

    private static string Percentiles(LatencyPercentiles p, CultureInfo c)
        => string.Create(c, $"p50 {Ms(p.P50)}  p90 {Ms(p.P90)}  p99 {Ms(p.P99)}  p99.9 {Ms(p.P999)}  p99.99 {Ms(p.P9999)}  max {Ms(p.Max)} ms");

    /// <summary>Milliseconds to about three significant digits, so a line of percentiles stays short.</summary>
    private static string Ms(double milliseconds) => milliseconds.ToString(milliseconds switch
    {
        < 1 => "0.###",
        < 10 => "0.##",
        < 100 => "0.#",
        _ => "0",
    }, CultureInfo.InvariantCulture);
}
