using System.Collections.Concurrent;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Move;

/// <summary>One source for the whole move: what is known about its keys, and its failure if any.</summary>
internal sealed class SourceState : IDisposable
{
    public SourceState(int index, ServerEndpoint endpoint, IThrottle throttle, int destinations)
    {
        Index = index;
        Endpoint = endpoint;
        Throttle = throttle;
        Keys = new KeyStateMap[destinations];
        for (var d = 0; d < destinations; d++)
            Keys[d] = new KeyStateMap();
    }

    public int Index { get; }

    public ServerEndpoint Endpoint { get; }

    public IThrottle Throttle { get; }

    /// <summary>
    /// What is known about the keys copied from this source, one map per destination index. A key always
    /// routes to the same destination, so the map holding it says where its copy is even when only its
    /// digest is left (a key that vanished from the source): no placement has to be recomputed from the
    /// digest, which only ketama rings could do.
    /// </summary>
    public KeyStateMap[] Keys { get; }

    /// <summary>Filled by fetch readers during a pass, applied to <see cref="Keys"/> when the pass's copy is done.</summary>
    public ConcurrentQueue<KeyCorrection> Corrections { get; } = new();

    /// <summary>The previous pass's listing, kept with -SyncDeletes to recover the bytes of keys that vanish.</summary>
    public ListingSpool? PreviousListing { get; set; }

    /// <summary>False once the server sets cas_enabled no (-C): changes cannot be seen without CAS.</summary>
    public bool CasEnabled { get; set; } = true;

    public string? Failure { get; private set; }

    public bool Failed => Failure is not null;

    /// <summary>Keys the meta protocol cannot address that the latest listing saw (they are never copied).</summary>
    public long Unaddressable { get; set; }

    /// <summary>Given keys (a key file, piped keys) the source did not hold in the latest pass; 0 for a listing.</summary>
    public long KeysNotFound { get; set; }

    /// <summary>Whether the first unaddressable key was already named in a warning (once per move, not per pass).</summary>
    public bool WarnedUnaddressable { get; set; }

    public void Fail(string reason) => Failure ??= reason;

    public void ApplyCorrections()
    {
        while (Corrections.TryDequeue(out var correction))
            Keys[correction.Destination].Apply(correction);
    }

    public void Dispose() => PreviousListing?.Dispose();
}
