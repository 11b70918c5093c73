using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Cmdlets.Loading;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Verification.Latency;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Measures the latency of memcached servers under a scheduled load, and says whether it meets your limits.</para>
/// <para type="description">Writes its own keys (a unique prefix per run, each key once before the measured phase so the hit ratio is known), then sends a mix of get, set, mg, ms, delete and touch requests for -Duration seconds, and deletes its keys at the end. It never flushes and touches no other key, so it is safe on a live server within the load you ask for.</para>
/// <para type="description">Open loop (the default): -TargetRate requests per second are scheduled, spread over the servers and their connections, and sent when due whatever the server is doing. Latency is measured from each request's scheduled time, so a server stall counts for every request it delays (coordinated omission corrected); ServiceTime, from the actual send, is reported beside it, with the achieved and target rates. -TargetRate 0 runs closed loop at full speed (each connection keeps -Pipeline requests in flight).</para>
/// <para type="description">Emits one object: latency and service-time percentiles (p50, p90, p99, p99.9, p99.99, max, in milliseconds), per operation with hits and misses, errors by class (timeout, client error, server error, reset, verify mismatch, not stored), the server's own counters over the run (gets, hits, evictions, connections, listen_disabled) and Passed. With several servers its Servers property holds one result per server. -IntervalSeconds also emits one object per server and interval as the run goes; -HistogramPath writes an HdrHistogram log (.hlog, microseconds).</para>
/// <para type="description">Passed is false when a limit (-MaxP99Milliseconds, -MinRate, -MaxErrorRate) is missed, when any verified read returned a value that was not written under its key, or when nothing was answered. An error storm (most requests failing for two seconds, or a server unreachable for three) stops the run with a terminating error after the partial result.</para>
/// </summary>
/// <example>
///   <code>(Measure-MemcacheLatency -Server new-cache:11211 -TargetRate 5000 -Duration 10 -MaxP99Milliseconds 2).Passed | Should -BeTrue</code>
///   <para>A Pester gate before cut-over: 5,000 requests/s (90% get, 10% set) for 10 seconds, p99 at most 2 ms.</para>
/// </example>
/// <example>
///   <code>Measure-MemcacheLatency -Server cache1, cache2 -TargetRate 20000 -Duration 30 -IntervalSeconds 5 | Format-List</code>
///   <para>Two servers at 10,000 requests/s each; one line per server every 5 seconds, then the result for both with every figure.</para>
/// </example>
/// <example>
///   <code>$r = Measure-MemcacheLatency -Server cache1 -TargetRate 0 -Duration 5 -Pipeline 32 -Mix 'mg=80,ms=20' -ValueSize '100=90,4096=10'; $r.Latency; $r.ByOperation | Format-Table Operation, Count, Hits, Misses</code>
///   <para>Closed loop at full speed with meta commands and mixed value sizes: the percentiles, then counts per operation.</para>
/// </example>
/// <seealso cref="GetMemcacheStatsCommand"/>
/// <seealso cref="CompareMemcacheDataCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsDiagnostic.Measure, "MemcacheLatency")]
[OutputType(typeof(LatencyResult), typeof(LatencyInterval))]
public sealed class MeasureMemcacheLatencyCommand : MemcacheCmdlet
{
    private readonly List<string> _servers = [];

    /// <summary>
    /// <para type="description">Servers as host, host:port or [IPv6]:port (default port 11211). Accepts pipeline input and objects with a Server property. Each server gets an equal share of -TargetRate.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Server { get; set; } = [];

    /// <summary>
    /// <para type="description">Requests per second in total, spread evenly over the servers and their connections (default 1000). 0 runs closed loop at full speed.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, 100_000_000)]
    public double TargetRate { get; set; } = 1000;

    /// <summary>
    /// <para type="description">Seconds of measured load (default 10). The prefill before and the clean-up after come on top.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0.1, 86400)]
    public double Duration { get; set; } = 10;

    /// <summary>
    /// <para type="description">Connections per server (default 4).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int Connections { get; set; } = 4;

    /// <summary>
    /// <para type="description">Requests one connection may have awaiting replies (default 32); a closed loop keeps this many in flight. In open loop a request that finds every slot taken waits, and its wait counts as latency.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 4096)]
    public int Pipeline { get; set; } = 32;

    /// <summary>
    /// <para type="description">Operations and their weights: get=90,set=10 (default). Also mg and ms (meta get and set), delete and touch, e.g. 'mg=80,ms=15,delete=3,touch=2'.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Mix { get; set; } = OperationMix.Default.Text;

    /// <summary>
    /// <para type="description">Keys per server (default 10000, at most 10,000,000). All are written before the measured phase.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, LatencyOptions.MaxKeyCount)]
    public int KeyCount { get; set; } = 10_000;

    /// <summary>
    /// <para type="description">How keys are picked: Uniform (default), Zipf (exponent 0.99, a few hot keys) or Sequential (each connection walks the keys in order).</para>
    /// </summary>
    [Parameter]
    public KeyDistribution KeyDistribution { get; set; } = KeyDistribution.Uniform;

    /// <summary>
    /// <para type="description">Bytes per value: a size ('100', the default), a range chosen uniformly ('100-1000') or sizes with weights ('100=80,4096=15,65536=5').</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ValueSize { get; set; } = ValueSizeSpec.Default.Text;

    /// <summary>
    /// <para type="description">TTL in seconds of every key the run writes (0 never expires). Default: the duration plus 600, so keys left behind by a run that was killed expire.</para>
    /// </summary>
    [Parameter]
    [Alias("Ttl")]
    [ValidateRange(0, 2_592_000)]
    public int TimeToLive { get; set; }

    /// <summary>
    /// <para type="description">Percent of reads (0-100, default 1) whose value is checked byte for byte against what the run wrote under that key. Every value is unique to its key and version.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public double VerifyPercent { get; set; } = 1;

    /// <summary>
    /// <para type="description">Emit one object per server (and one for all, with several servers) every this many seconds while the run goes on: rate, p50, p99, p99.9, max, errors.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0.1, 3600)]
    public double IntervalSeconds { get; set; }

    /// <summary>
    /// <para type="description">Write every interval's latency histogram, one per server, to this HdrHistogram log (.hlog; values in microseconds, so HistogramLogProcessor takes -outputValueUnitRatio 1000 for milliseconds).</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HistogramPath { get; set; }

    /// <summary>
    /// <para type="description">Passed is false when the p99 latency of any server, or of all together, is above this many milliseconds.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0.000001, double.MaxValue)]
    public double MaxP99Milliseconds { get; set; }

    /// <summary>
    /// <para type="description">Passed is false when the achieved rate of all servers together is below this many requests per second.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, double.MaxValue)]
    public double MinRate { get; set; }

    /// <summary>
    /// <para type="description">Passed is false when errors are more than this fraction (0-1; 0.01 is 1%) of the requests of any server or of all.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, 1)]
    public double MaxErrorRate { get; set; }

    protected override void ProcessRecord() => _servers.AddRange(Server);

    protected override void EndProcessing()
    {
        var bound = MyInvocation.BoundParameters;
        var options = Validate(() => new LatencyOptions
        {
            Servers = ServerEndpoint.ParseList(_servers),
            TargetRate = TargetRate,
            Duration = TimeSpan.FromSeconds(Duration),
            Connections = Connections,
            Pipeline = Pipeline,
            Mix = OperationMix.Parse(Mix),
            KeyCount = KeyCount,
            KeyDistribution = KeyDistribution,
            ValueSize = ValueSizeSpec.Parse(ValueSize),
            TimeToLive = bound.ContainsKey(nameof(TimeToLive)) ? TimeToLive : null,
            VerifyPercent = VerifyPercent,
            Interval = bound.ContainsKey(nameof(IntervalSeconds)) ? TimeSpan.FromSeconds(IntervalSeconds) : null,
            HistogramPath = HistogramPath is null ? null : GetUnresolvedProviderPathFromPSPath(HistogramPath),
            MaxP99Milliseconds = bound.ContainsKey(nameof(MaxP99Milliseconds)) ? MaxP99Milliseconds : null,
            MinRate = bound.ContainsKey(nameof(MinRate)) ? MinRate : null,
            MaxErrorRate = bound.ContainsKey(nameof(MaxErrorRate)) ? MaxErrorRate : null,
            Connection = ConnectionOptions,
        });
        Validate(() =>
        {
            options.Validate();
            return true;
        });
        var histograms = Validate(() => AdapterHost.Factory.CreateLatencyHistograms());
        // Measuring writes and deletes only the run's own keys, so there is nothing to confirm.
        RunOperation((sink, token) => LatencyService.RunAsync(options, histograms, sink, token));
        base.EndProcessing();
    }
}
