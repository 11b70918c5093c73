using MemcacheOps.Engine;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Tests.Throttling;

public class TokenBucketThrottleTests
{
    // Real-time bound on any await in these tests; a hang fails instead of blocking the run.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [Fact]
    public async Task Full_bucket_grants_its_burst_at_once_then_charges_exactly_the_debt()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 100 }, clock); // burst 100 ms = 10 ops

        Assert.True(throttle.Ask(10, 0, CancellationToken.None).IsCompletedSuccessfully);
        var pending = throttle.Ask(5, 0, CancellationToken.None);
        clock.Advance(Ms(50) - TimeSpan.FromTicks(1));
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        await pending.WaitAsync(Bound);

        Assert.Equal(15, throttle.TotalOperations);
        Assert.Equal(Ms(50), throttle.TotalWaitTime);
        Assert.Equal(1, throttle.DelayedRequests);
    }

    [Fact]
    public async Task A_batch_larger_than_the_bucket_passes_by_going_into_debt()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 100 }, clock);

        // 50 ops against a 10-op bucket: 40 ops of debt = 400 ms.
        var big = throttle.Ask(50, 0, CancellationToken.None);
        clock.Advance(Ms(400) - TimeSpan.FromTicks(1));
        Assert.False(big.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        await big.WaitAsync(Bound);

        // The debt is repaid exactly: the next op waits its own 10 ms, no more, no less.
        var next = throttle.Ask(1, 0, CancellationToken.None);
        clock.Advance(Ms(10) - TimeSpan.FromTicks(1));
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        await next.WaitAsync(Bound);
    }

    [Fact]
    public async Task Fractional_tokens_are_never_lost()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 3 }, clock); // 333.33 ms per op, bucket of 1

        Assert.True(throttle.Ask(1, 0, CancellationToken.None).IsCompletedSuccessfully);
        // Step the clock in whole milliseconds, so every wake-up overshoots a little; the overshoot
        // must be credited back, leaving op 31 due at exactly 10 s.
        for (var op = 0; op < 30; op++)
        {
            var task = throttle.Ask(1, 0, CancellationToken.None);
            Assert.Equal(1, clock.PendingTimers);
            for (var step = 0; step < 1000 && clock.PendingTimers > 0; step++)
                clock.Advance(Ms(1));
            await task.WaitAsync(Bound);
        }
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10) + Ms(1));
        Assert.Equal(31, throttle.TotalOperations);
    }

    [Fact]
    public async Task The_slower_of_operations_and_bytes_decides_the_wait()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 1000, BytesPerSecond = 1_000_000 }, clock);

        // 1 op is free (bucket of 100), 300 kB against a 100 kB bucket is 200 ms of byte debt.
        var task = throttle.Ask(1, 300_000, CancellationToken.None);
        clock.Advance(Ms(200) - TimeSpan.FromTicks(1));
        Assert.False(task.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        await task.WaitAsync(Bound);

        // Now operations are the bottleneck: 150 ops against the 100 the bucket regained = 50 ms.
        var ops = throttle.Ask(150, 0, CancellationToken.None);
        clock.Advance(Ms(50) - TimeSpan.FromTicks(1));
        Assert.False(ops.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        await ops.WaitAsync(Bound);
        Assert.Equal(151, throttle.TotalOperations);
        Assert.Equal(300_000, throttle.TotalBytes);
    }

    [Fact]
    public void A_request_waits_only_for_the_dimensions_it_uses()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 100, BytesPerSecond = 1000 }, clock);
        Assert.False(throttle.Ask(30, 0, CancellationToken.None).IsCompleted); // operations now in debt
        Assert.True(throttle.Ask(0, 100, CancellationToken.None).IsCompletedSuccessfully);
        Assert.False(throttle.Ask(0, 2000, CancellationToken.None).IsCompleted); // bytes now in debt
        Assert.False(throttle.Ask(1, 0, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Bytes_a_reply_brought_beyond_the_charge_delay_the_next_request_by_exactly_their_debt()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { BytesPerSecond = 1000 }, clock); // burst 100 ms = 100 bytes

        Assert.True(throttle.Ask(1, 100, CancellationToken.None).IsCompletedSuccessfully);
        throttle.Settle(500); // the fetch brought 500 bytes more than the listing said
        var next = throttle.Ask(1, 1, CancellationToken.None);
        clock.Advance(Ms(501) - TimeSpan.FromTicks(1));
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        await next.WaitAsync(Bound);

        Assert.Equal(601, throttle.TotalBytes);
    }

    [Fact]
    public async Task Bytes_charged_but_never_sent_are_given_back()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { BytesPerSecond = 1000 }, clock);

        Assert.True(throttle.Ask(1, 100, CancellationToken.None).IsCompletedSuccessfully);
        var held = throttle.Ask(1, 300, CancellationToken.None); // 300 bytes of debt
        throttle.Settle(-200); // the replies carried 200 bytes less than expected
        clock.Advance(Ms(300));
        await held.WaitAsync(Bound);
        // Without the 200 bytes given back the bucket would be empty now and this would wait 100 ms.
        Assert.True(throttle.Ask(1, 100, CancellationToken.None).IsCompletedSuccessfully);
        Assert.Equal(300, throttle.TotalBytes);
    }

    [Fact]
    public void Settling_never_waits_and_an_unlimited_throttle_still_counts_it()
    {
        var throttle = new TokenBucketThrottle(ThrottleLimits.Unlimited);
        throttle.Settle(1_000_000);
        throttle.Settle(-400_000);
        Assert.Equal(600_000, throttle.TotalBytes);
        Assert.True(throttle.Ask(1, 1, CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public void An_idle_bucket_saves_only_its_burst()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 100, Burst = Ms(200) }, clock); // 20 ops
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(throttle.Ask(20, 0, CancellationToken.None).IsCompletedSuccessfully);
        Assert.False(throttle.Ask(1, 0, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Concurrent_callers_queue_behind_each_others_debt()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 100 }, clock);

        // Four connections ask for 10 ops each at the same instant: one rate is shared, so they are
        // served 100 ms apart, in arrival order.
        var callers = Enumerable.Range(0, 4).Select(_ => throttle.Ask(10, 0, CancellationToken.None)).ToArray();
        Assert.True(callers[0].IsCompleted);
        for (var i = 1; i < callers.Length; i++)
        {
            clock.Advance(Ms(100) - TimeSpan.FromTicks(1));
            Assert.False(callers[i].IsCompleted);
            clock.Advance(TimeSpan.FromTicks(1));
            await callers[i].WaitAsync(Bound);
            for (var later = i + 1; later < callers.Length; later++)
                Assert.False(callers[later].IsCompleted);
        }
        Assert.Equal(40, throttle.TotalOperations);
    }

    [Fact]
    public async Task Callers_on_many_threads_book_every_token_exactly_once()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 1000 }, clock); // bucket of 100

        // 8 threads x 250 single-op requests at one instant: 1900 ops of debt, so the last due is 1.9 s.
        using var start = new Barrier(8);
        var perThread = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(Bound);
            var tasks = new List<Task>(250);
            for (var i = 0; i < 250; i++)
                tasks.Add(throttle.Ask(1, 0, CancellationToken.None));
            return tasks;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))).WaitAsync(Bound);
        var all = perThread.SelectMany(t => t).ToArray();

        Assert.Equal(1900, clock.PendingTimers);
        clock.Advance(TimeSpan.FromSeconds(1.9) - TimeSpan.FromTicks(1));
        Assert.Equal(1, clock.PendingTimers);
        clock.Advance(TimeSpan.FromTicks(1));
        await Task.WhenAll(all).WaitAsync(Bound);
        Assert.Equal(2000, throttle.TotalOperations);
    }

    [Fact]
    public async Task A_cancelled_wait_throws_and_gives_its_tokens_back()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 100 }, clock);
        Assert.True(throttle.Ask(10, 0, CancellationToken.None).IsCompletedSuccessfully);

        using var cancel = new CancellationTokenSource();
        var doomed = throttle.Ask(20, 0, cancel.Token);
        clock.Advance(Ms(100));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => doomed.WaitAsync(Bound));

        // 100 ms refilled 10 ops, and the 20 refunded are capped by the 10-op bucket: 15 ops wait 50 ms.
        var next = throttle.Ask(15, 0, CancellationToken.None);
        clock.Advance(Ms(50) - TimeSpan.FromTicks(1));
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        await next.WaitAsync(Bound);
        Assert.Equal(25, throttle.TotalOperations);

        Assert.True(throttle.Ask(1, 0, new CancellationToken(canceled: true)).IsCanceled);
    }

    [Fact]
    public void Without_limits_nothing_waits_but_everything_is_counted()
    {
        var clock = new ManualTimeProvider();
        var throttle = new TokenBucketThrottle(ThrottleLimits.Unlimited, clock);
        for (var i = 0; i < 1000; i++)
            Assert.True(throttle.Ask(100, 1_000_000, CancellationToken.None).IsCompletedSuccessfully);
        Assert.Equal(100_000, throttle.TotalOperations);
        Assert.Equal(1_000_000_000, throttle.TotalBytes);
        Assert.Equal(TimeSpan.Zero, throttle.TotalWaitTime);
        Assert.Equal(0, throttle.DelayedRequests);
    }

    [Fact]
    public void A_slow_rate_still_admits_one_whole_operation_at_once()
    {
        var clock = new ManualTimeProvider();
        // 2 ops/s x 100 ms would be a fifth of an op; the bucket holds at least one.
        var throttle = new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = 2 }, clock);
        Assert.True(throttle.Ask(1, 0, CancellationToken.None).IsCompletedSuccessfully);
        Assert.False(throttle.Ask(1, 0, CancellationToken.None).IsCompleted);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_rates_are_rejected(double rate)
    {
        var ops = Assert.Throws<MemcacheException>(() => new ThrottleLimits { OperationsPerSecond = rate });
        Assert.Equal(MemcacheErrorKind.InvalidArgument, ops.Kind);
        Assert.Equal("InvalidThrottleLimit", ops.ErrorId);
        var bytes = Assert.Throws<MemcacheException>(() => new ThrottleLimits { BytesPerSecond = rate });
        Assert.Equal(MemcacheErrorKind.InvalidArgument, bytes.Kind);
    }

    [Fact]
    public void Invalid_burst_and_arguments_are_rejected()
    {
        var error = Assert.Throws<MemcacheException>(() => new ThrottleLimits { Burst = TimeSpan.Zero });
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
        var throttle = new TokenBucketThrottle(ThrottleLimits.Unlimited);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = throttle.Ask(-1, 0, CancellationToken.None); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = throttle.Ask(0, -1, CancellationToken.None); });
    }
}
