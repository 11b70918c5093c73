using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// One destination for the whole move: its writer for the current pass, its pause gate, whether it
/// failed, and its totals. Counters are updated from several threads (fetch readers, the forwarder,
/// the eviction watcher), hence Interlocked; the rest changes only between passes.
/// </summary>
internal sealed class DestinationState : IDisposable
{
    private readonly CancellationTokenSource _abort = new();
    private readonly List<string> _notes = [];
    private string? _failure;
    private long _copied;
    private long _alreadyPresent;
    private long _tooLarge;
    private long _expired;
    private long _refused;
    private long _bytes;
    private long _deleted;
    private long _missing;
    private long _changedThisPass;

    public DestinationState(int index, ServerEndpoint endpoint, IThrottle throttle)
    {
        Index = index;
        Endpoint = endpoint;
        Gate = new ThrottleGate(throttle);
    }

    public int Index { get; }

    public ServerEndpoint Endpoint { get; }

    public ThrottleGate Gate { get; }

    /// <summary>Cancelled when the destination fails or is aborted, so its writer stops waiting.</summary>
    public CancellationToken AbortToken => _abort.Token;

    /// <summary>The writer of the current pass (null between passes or once failed).</summary>
    public TargetWriter? Writer { get; set; }

    public bool Failed => Volatile.Read(ref _failure) is not null;

    public string? Failure => Volatile.Read(ref _failure);

    public int Passes { get; set; }

    public long Residual { get; set; } = -1;

    public long Evictions { get; set; }

    public long Copied => Interlocked.Read(ref _copied);
    public long AlreadyPresent => Interlocked.Read(ref _alreadyPresent);
    public long TooLarge => Interlocked.Read(ref _tooLarge);
    public long Expired => Interlocked.Read(ref _expired);
    public long Refused => Interlocked.Read(ref _refused);
    public long Bytes => Interlocked.Read(ref _bytes);
    public long Deleted => Interlocked.Read(ref _deleted);
    public long Missing => Interlocked.Read(ref _missing);

    /// <summary>Marks the destination failed and stops its writer; true for the first failure (whose reason is kept).</summary>
    public bool Fail(string reason)
    {
        if (Interlocked.CompareExchange(ref _failure, reason, null) is not null)
            return false;
        Gate.Resume();
        _abort.Cancel();
        return true;
    }

    public void AddNote(string note)
    {
        lock (_notes)
        {
            if (!_notes.Contains(note))
                _notes.Add(note);
        }
    }

    public IReadOnlyList<string> Notes
    {
        get
        {
            lock (_notes)
                return _notes.ToList();
        }
    }

    public void AddTooLarge() => Interlocked.Increment(ref _tooLarge);
    public void AddExpired() => Interlocked.Increment(ref _expired);
    public void AddMissing(long n) => Interlocked.Add(ref _missing, n);
    public void AddDeleted(long n) => Interlocked.Add(ref _deleted, n);
    public void AddRefused(long n) => Interlocked.Add(ref _refused, n);
    public void AddChanged(long n) => Interlocked.Add(ref _changedThisPass, n);

    /// <summary>Keys found new or changed for this destination since the last call.</summary>
    public long TakeChanged() => Interlocked.Exchange(ref _changedThisPass, 0);

    /// <summary>Adds what a finished pass writer counted.</summary>
    public void AddWriterCounts(StoreCounters counters)
    {
        Interlocked.Add(ref _copied, counters.Stored);
        Interlocked.Add(ref _alreadyPresent, counters.NotStored);
        Interlocked.Add(ref _tooLarge, counters.TooLarge);
        Interlocked.Add(ref _refused, counters.Failed + counters.OutOfMemory);
        Interlocked.Add(ref _bytes, counters.Bytes);
        if (counters.OutOfMemory > 0)
            AddNote($"The destination ran out of memory for {counters.OutOfMemory} item(s) (SERVER_ERROR out of memory storing object): give it more memory (-m).");
        if (counters.FirstFailure is { } first && counters.Failed > 0)
            AddNote("First refusal: " + first);
    }

    public void Dispose() => _abort.Dispose();
}
