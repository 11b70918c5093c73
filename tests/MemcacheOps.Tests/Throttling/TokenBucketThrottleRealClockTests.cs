using System.Diagnostics;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Tests.Throttling;

/// <summary>
/// Tests that measure wall-clock time run alone, so other tests cannot take their CPU. The test host
/// itself keeps a few thread-pool threads blocked; on a 2-core machine the pool's minimum is 2, so
/// timer callbacks (every throttled wait ends in one) could queue for the ~0.5 s the pool takes to
/// add a thread. The fixture raises the pool minimum so the measurement sees the limiter, not that.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealClockCollection : ICollectionFixture<RealClockCollection.ThreadPoolHeadroom>
{
    public const string Name = "Real clock";

    public sealed class ThreadPoolHeadroom
    {
        public ThreadPoolHeadroom()
        {
            ThreadPool.GetMinThreads(out var workers, out var completionPorts);
            ThreadPool.SetMinThreads(Math.Max(workers, 16), completionPorts);
        }
    }
}

[Collection(RealClockCollection.Name)]
public class TokenBucketThrottleRealClockTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    // Functional check of the limiter against the real clock (not a performance test): 4000 ops in
    // batches of 50 at 2000 ops/s take about 2 s and must average within 10% of the limit.
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Real_clock_rate_holds_within_ten_percent(int callers)
    {
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 2000 });
        using var timeout = new CancellationTokenSource(Bound);
        const int batchesPerRun = 80;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            for (var batch = 0; batch < batchesPerRun / callers; batch++)
                await throttle.WaitAsync(50, 0, timeout.Token);
        })));
        stopwatch.Stop();

        Assert.Equal(4000, throttle.TotalOperations);
        var rate = throttle.TotalOperations / stopwatch.Elapsed.TotalSeconds;
        Assert.InRange(rate, 1800, 2200);
    }
}
