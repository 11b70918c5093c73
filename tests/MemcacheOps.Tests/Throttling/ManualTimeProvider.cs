namespace MemcacheOps.Tests.Throttling;

/// <summary>
/// A clock that moves only when a test says so. Timers (and so <c>Task.Delay</c> with this provider)
/// fire during <see cref="Advance"/>, in due order, on the advancing thread; what a timer completes
/// may still continue on another thread, so tests await completion rather than assume it.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = new();
    private readonly DateTimeOffset _start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _nowTicks;

    /// <summary>Time since the provider was created.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
                return TimeSpan.FromTicks(_nowTicks);
        }
    }

    /// <summary>Timers waiting to fire; a throttled caller's wait is one timer.</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
                return _timers.Count;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate)
            return _nowTicks;
    }

    public override DateTimeOffset GetUtcNow() => _start + Elapsed;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way at its own due time.</summary>
    public void Advance(TimeSpan by)
    {
        long target;
        lock (_gate)
            target = _nowTicks + by.Ticks;
        for (var fired = 0; fired < 100_000; fired++)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueTicks <= target && (next is null || timer.DueTicks < next.DueTicks))
                        next = timer;
                }
                if (next is null)
                {
                    _nowTicks = target;
                    return;
                }
                _nowTicks = Math.Max(_nowTicks, next.DueTicks);
                next.Rearm();
            }
            next.Fire();
        }
        throw new InvalidOperationException("Timers kept firing; a periodic timer with a zero period?");
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private long _periodTicks;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public long DueTicks { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._gate)
            {
                _owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                    return true;
                DueTicks = _owner._nowTicks + dueTime.Ticks;
                _periodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                _owner._timers.Add(this);
                return true;
            }
        }

        /// <summary>Called under the owner's lock when the timer fires: reschedule or remove it.</summary>
        public void Rearm()
        {
            if (_periodTicks > 0)
                DueTicks += _periodTicks;
            else
                _owner._timers.Remove(this);
        }

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            lock (_owner._gate)
                _owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
