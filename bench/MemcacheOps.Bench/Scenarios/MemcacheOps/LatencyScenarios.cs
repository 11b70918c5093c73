using System.Globalization;
using MemcacheOps.Adapters.Latency;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Verification.Latency;

namespace MemcacheOps.Bench.Scenarios.MemcacheOps;

/// <summary>
/// Measure-MemcacheLatency closed loop at full speed: small values, pipelined, against a server of its own (it writes
/// and deletes its keys). Compared with raw-mg: the load generator should reach at least 80% of the raw fetch rate.
/// Options: --opt duration=S (5), pipeline=N (batch x window), keys=N (100000), mix=M (mg=100), size=SIZE (100).
/// </summary>
internal sealed class LatencyClosedScenario : IScenario
{
    public string Name => "latency-closed";

    public string Description => "Measure-MemcacheLatency -TargetRate 0 (closed loop, full speed): mg of 100-byte values over --connections, --opt pipeline (default batch x window) in flight each; items = requests answered";

    public IReadOnlyList<string> ComparesWith => ["raw-mg"];

    public Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
        => LatencyRun.RunAsync(context, targetRate: 0, context.Option("pipeline", context.BatchSize * context.Window), cancellationToken);
}

/// <summary>
/// Measure-MemcacheLatency open loop: does the generator keep a schedule of --opt rate=N requests/s (default 50000)
/// within 2%, and what does each request cost it in CPU. Options as latency-closed, plus rate.
/// </summary>
internal sealed class LatencyOpenScenario : IScenario
{
    public string Name => "latency-open";

    public string Description => "Measure-MemcacheLatency open loop at --opt rate=N requests/s (default 50000), get=90,set=10 of 100-byte values over --connections; items = requests answered; notes: achieved/target, CPU per request";

    public IReadOnlyList<string> ComparesWith => [];

    public Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
        => LatencyRun.RunAsync(context, context.Option("rate", 50_000), context.Option("pipeline", 256), cancellationToken);
}

internal static class LatencyRun
{
    public static async Task<ScenarioResult> RunAsync(ScenarioContext context, double targetRate, int pipeline, CancellationToken cancellationToken)
    {
        var server = context.StartServer(memoryMb: 1024);
        var options = new LatencyOptions
        {
            Servers = [server.ServerEndpoint],
            TargetRate = targetRate,
            Duration = TimeSpan.FromSeconds(context.Option("duration", 5)),
            Connections = context.Connections,
            Pipeline = pipeline,
            Mix = OperationMix.Parse(context.Option("mix", targetRate > 0 ? "get=90,set=10" : "mg=100")),
            KeyCount = context.Option("keys", 100_000),
            ValueSize = ValueSizeSpec.Parse(context.Option("size", "100")),
            VerifyPercent = 0,
        };
        var sink = new CollectingSink();
        // The prefill and clean-up are outside the measurement: the meter covers the whole run, so its wall time
        // is not used; the rate is the engine's, over the measured phase, and CPU per request is the engine's figure.
        var meter = ResourceMeter.StartInProcess();
        var result = await LatencyService.RunAsync(options, new HdrLatencyHistogramFactory(), sink, cancellationToken);
        var measured = meter.Finish(result.Requests, 0);
        var c = CultureInfo.InvariantCulture;
        var notes = new List<string>
        {
            targetRate > 0
                ? string.Create(c, $"target {targetRate:N0}/s, achieved {result.AchievedRate:N0}/s ({100 * result.AchievedRate / targetRate:0.00}% of target), not sent {result.NotSent:N0}")
                : string.Create(c, $"closed loop, pipeline {pipeline} x {options.Connections} connection(s)"),
            string.Create(c, $"latency p50 {result.Latency.P50:0.###} p99 {result.Latency.P99:0.###} max {result.Latency.Max:0.###} ms; service p99 {result.ServiceTime.P99:0.###} ms"),
            string.Create(c, $"generator CPU {result.ClientCpuMicrosecondsPerRequest:0.00} us/request; errors {result.ErrorCounts}"),
        };
        notes.AddRange(sink.Warnings);
        // Items/s is the measured phase's rate: wall time = the run's duration, CPU = the generator's over it.
        return new ScenarioResult
        {
            Items = result.Requests,
            WallSeconds = result.Duration.TotalSeconds,
            CpuSeconds = (result.ClientCpuMicrosecondsPerRequest ?? 0) * result.Requests / 1e6,
            JitSeconds = measured.JitSeconds,
            JittedMethods = measured.JittedMethods,
            PeakRssBytes = measured.PeakRssBytes,
            Measured = "in-process (measured phase)",
            Notes = notes,
        };
    }
}
