namespace MemcacheOps.Engine.Throttling;

/// <summary>
/// Token buckets for operations/s and value bytes/s, shared by every connection to one server.
/// <para>
/// A caller's request is granted at once and booked against the buckets, which may go into debt; the
/// caller then sleeps once, exactly until that debt is repaid. So a batch larger than the bucket still
/// passes, concurrent callers queue behind each other's debt in arrival order, nothing polls, and the
/// long-run rate equals the limit: tokens are kept as fractions, and time a caller oversleeps refills
/// the bucket (up to the burst) so the next request makes up for it.
/// </para>
/// </summary>
public sealed class TokenBucketThrottle : IThrottle
{
    private static readonly TimeSpan MaxSingleDelay = TimeSpan.FromDays(30);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(3650);

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Bucket? _operations;
    private readonly Bucket? _bytes;

    private long _totalOperations;
    private long _totalBytes;
    private long _waitedTicks;
    private long _delayedRequests;

    public TokenBucketThrottle(ThrottleLimits limits, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits;
        _time = timeProvider ?? TimeProvider.System;
        var now = _time.GetTimestamp();
        var frequency = _time.TimestampFrequency;
        if (limits.OperationsPerSecond is { } operationsRate)
            _operations = new Bucket(operationsRate, limits.Burst, frequency, now);
        if (limits.BytesPerSecond is { } bytesRate)
            _bytes = new Bucket(bytesRate, limits.Burst, frequency, now);
    }

    public ThrottleLimits Limits { get; }

    /// <summary>Operations granted so far (requests cancelled while waiting are not counted).</summary>
    public long TotalOperations => Interlocked.Read(ref _totalOperations);

    /// <summary>Value bytes granted so far, with what <see cref="Settle"/> booked or gave back.</summary>
    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>Time callers have spent waiting, summed over callers (concurrent waits add up).</summary>
    public TimeSpan TotalWaitTime => TimeSpan.FromTicks(Interlocked.Read(ref _waitedTicks));

    /// <summary>How many requests had to wait.</summary>
    public long DelayedRequests => Interlocked.Read(ref _delayedRequests);

    public ValueTask WaitAsync(int operations, long bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(operations);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled(cancellationToken);

        double waitTicks = 0;
        if (_operations is not null || _bytes is not null)
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                // A dimension the request does not use never makes it wait for others' debt.
                if (_operations is not null && operations > 0)
                    waitTicks = _operations.Take(operations, now);
                if (_bytes is not null && bytes > 0)
                    waitTicks = Math.Max(waitTicks, _bytes.Take(bytes, now));
            }
        }
        if (waitTicks <= 0)
        {
            Count(operations, bytes);
            return ValueTask.CompletedTask;
        }
        // Task.Delay counts whole milliseconds and drops any fraction; round up instead, so a caller
        // never wakes before its debt is repaid. Absurd limits (a debt of years) are capped.
        var milliseconds = Math.Min(Math.Ceiling(waitTicks / TimeSpan.TicksPerMillisecond), MaxDelay.TotalMilliseconds);
        var delay = TimeSpan.FromMilliseconds(milliseconds);
        return WaitForDebtAsync(operations, bytes, delay, cancellationToken);
    }

    private async ValueTask WaitForDebtAsync(int operations, long bytes, TimeSpan delay, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _delayedRequests);
        var started = _time.GetTimestamp();
        try
        {
            // Task.Delay takes at most ~49 days at once.
            while (delay > MaxSingleDelay)
            {
                await Task.Delay(MaxSingleDelay, _time, cancellationToken).ConfigureAwait(false);
                delay -= MaxSingleDelay;
            }
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The request will not be sent: give its tokens back so later callers are not held for it.
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                _operations?.Refund(operations, now);
                _bytes?.Refund(bytes, now);
            }
            throw;
        }
        finally
        {
            Interlocked.Add(ref _waitedTicks, _time.GetElapsedTime(started).Ticks);
        }
        Count(operations, bytes);
    }

    public void Settle(long bytes)
    {
        if (bytes == 0)
            return;
        if (_bytes is not null)
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                if (bytes > 0)
                    _bytes.Take(bytes, now); // a debt: the next request that moves bytes waits it out
                else
                    _bytes.Refund(-bytes, now);
            }
        }
        Interlocked.Add(ref _totalBytes, bytes);
    }

    private void Count(int operations, long bytes)
    {
        Interlocked.Add(ref _totalOperations, operations);
        Interlocked.Add(ref _totalBytes, bytes);
    }

    /// <summary>One dimension's bucket; only touched under the throttle's lock.</summary>
    private sealed class Bucket
    {
        private readonly double _rate;
        private readonly double _timestampFrequency;
        private readonly double _capacity;
        private double _tokens;
        private long _lastRefill;

        public Bucket(double ratePerSecond, TimeSpan burst, long timestampFrequency, long now)
        {
            _rate = ratePerSecond;
            _timestampFrequency = timestampFrequency;
            _capacity = Math.Max(ratePerSecond * burst.TotalSeconds, 1);
            _tokens = _capacity;
            _lastRefill = now;
        }

        /// <summary>Books <paramref name="amount"/> tokens; returns how long (in TimeSpan ticks) until the bucket is out of debt, 0 when it is not in debt.</summary>
        public double Take(double amount, long now)
        {
            Refill(now);
            _tokens -= amount;
            return _tokens >= 0 ? 0 : -_tokens * TimeSpan.TicksPerSecond / _rate;
        }

        public void Refund(double amount, long now)
        {
            Refill(now);
            _tokens = Math.Min(_capacity, _tokens + amount);
        }

        private void Refill(long now)
        {
            if (now <= _lastRefill)
                return;
            _tokens = Math.Min(_capacity, _tokens + (now - _lastRefill) * _rate / _timestampFrequency);
            _lastRefill = now;
        }
    }
}
