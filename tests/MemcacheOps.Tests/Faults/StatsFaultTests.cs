using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Stats;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Faults;

/// <summary>
/// Get-MemcacheStats -Interval against every fault: the failed sample is an error naming the server within
/// -Timeout plus 5 s of the fault, sampling goes on and picks the server up again once it is back, and the command
/// ends after -Count samples.
/// </summary>
[Collection(FaultMatrixCollection.Name)]
public sealed class StatsFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private const int Count = 10;

    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.RestartedEmpty)]
    [InlineData(Fault.Trickle)]
    [InlineData(Fault.ResetMidReply)]
    public async Task A_failed_sample_is_an_error_and_sampling_resumes_once_the_server_is_back(Fault fault)
    {
        await using var rig = FaultRig.Start(fault);
        var sink = new CollectingSink();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = StatsService.RunAsync(new StatsOptions { Servers = [rig.Endpoint], Interval = Interval, Count = Count, Connection = FaultRig.Connection }, sink, CancellationToken.None);
        await FaultRig.WaitUntilAsync(() => sink.ResultsOf<StatsSample>().Count() >= 2, run, "two samples were taken");
        rig.Inject();
        // The sink's error list is only counted while the sampling runs (Count is a plain read).
        await FaultRig.WaitUntilAsync(() => sink.Errors.Count >= 1 || rig.SinceFault > FaultRig.Bound, run, "a failed sample was reported");
        var reportedAfter = rig.SinceFault;
        Assert.True(reportedAfter <= FaultRig.Bound, $"the failed sample was reported {reportedAfter.TotalSeconds:0.0} s after the fault");
        var failedAt = sink.ResultsOf<StatsSample>().Count();
        rig.Heal();

        await run.WaitAsync(FaultRig.Patience);
        var samples = sink.ResultsOf<StatsSample>().ToList();
        output.WriteLine($"{fault}: first error {reportedAfter.TotalSeconds:0.00} s after the fault: {string.Join(" | ", sink.Errors.Select(e => e.Message))}");
        output.WriteLine($"samples {string.Join(",", samples.Select(s => s.Sample))} in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.NotEmpty(sink.Errors);
        Assert.All(sink.Errors, rig.AssertNamesServer);
        Assert.All(sink.Errors, e => Assert.Contains("Sampling goes on", e.Message, StringComparison.Ordinal));
        // Samples came again once the server was back, and the last one is the -Count'th.
        Assert.True(samples.Count > failedAt, "sampling resumed after the fault");
        Assert.Equal(Count, samples[^1].Sample);
        Assert.All(samples, s => Assert.True(s.GetsPerSecond >= 0 && s.Interval > TimeSpan.Zero));
    }
}
