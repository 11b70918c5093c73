using System.Diagnostics;
using System.Globalization;

namespace MemcacheOps.Engine.Diagnostics;

/// <summary>
/// Counts items and bytes from any thread with Interlocked and publishes a snapshot a few times per
/// second from a timer, so the hot path never calls into front-end code. Each phase and the end are also
/// told as verbose notes (shown by -Verbose), so a log says what the operation went through and when.
/// </summary>
public sealed class ProgressTracker : IDisposable
{
    private readonly IOperationSink _sink;
    private readonly string _activity;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;
    private long _items;
    private long _bytes;
    private long _total = -1;
    private string _phase;

    public ProgressTracker(IOperationSink sink, string activity, string phase, TimeSpan? interval = null)
    {
        _sink = sink;
        _activity = activity;
        _phase = phase;
        var period = interval ?? TimeSpan.FromMilliseconds(250);
        _timer = new Timer(_ => Publish(false), null, period, period);
        _sink.Verbose($"{activity}: {phase}.");
    }

    public long Items => Interlocked.Read(ref _items);

    public long Bytes => Interlocked.Read(ref _bytes);

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Add(long items, long bytes)
    {
        Interlocked.Add(ref _items, items);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void SetTotal(long total) => Interlocked.Exchange(ref _total, total);

    public void SetPhase(string phase)
    {
        if (string.Equals(Volatile.Read(ref _phase), phase, StringComparison.Ordinal))
            return;
        // The note goes out before the switch: a caller that publishes the new phase right after this call (a move,
        // whose tests act on the phase before its work starts) sees no wider gap than before.
        _sink.Verbose(string.Create(CultureInfo.InvariantCulture, $"{_activity}: {phase} (after {_clock.Elapsed.TotalSeconds:0.0} s, {Items:N0} items so far)."));
        Volatile.Write(ref _phase, phase);
    }

    public ProgressSnapshot Snapshot(bool completed)
    {
        var elapsed = _clock.Elapsed;
        var items = Items;
        var bytes = Bytes;
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        var total = Interlocked.Read(ref _total);
        return new ProgressSnapshot
        {
            Activity = _activity,
            Phase = Volatile.Read(ref _phase),
            Items = items,
            Bytes = bytes,
            TotalItems = total >= 0 ? total : null,
            Elapsed = elapsed,
            ItemsPerSecond = items / seconds,
            BytesPerSecond = bytes / seconds,
            Completed = completed,
        };
    }

    private void Publish(bool completed)
    {
        try
        {
            _sink.Progress(Snapshot(completed));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Progress is best effort; a failing front end must not kill a timer thread.
        }
    }

    /// <summary>Stops the timer and publishes the final, completed snapshot.</summary>
    public void Complete()
    {
        _timer.Dispose();
        Publish(true);
        _sink.Verbose(string.Create(CultureInfo.InvariantCulture, $"{_activity}: done: {Items:N0} items, {Bytes:N0} bytes in {_clock.Elapsed.TotalSeconds:0.0} s."));
    }

    public void Dispose() => _timer.Dispose();
}
