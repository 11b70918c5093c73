using MemcacheOps.Engine.Fetching;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// A batch of keys to fetch from a source plus, per key, what the move decided at listing time
/// (identity, destination, overwrite or not), and the store batches its values produced. It is
/// returned to the pool only after those store batches were handed to the destinations' writers, so
/// the pool's size bounds the values held in memory between fetch and write.
/// </summary>
internal sealed class MoveFetchBatch : IDisposable
{
    public MoveFetchBatch(int capacity)
    {
        Keys = new KeyBatch(capacity) { Tag = this };
        Ids = new UInt128[capacity];
        ListedCas = new ulong[capacity];
        Destinations = new int[capacity];
        Overwrite = new bool[capacity];
        WasOnDestination = new bool[capacity];
    }

    public KeyBatch Keys { get; }
    public UInt128[] Ids { get; }
    public ulong[] ListedCas { get; }
    public int[] Destinations { get; }
    public bool[] Overwrite { get; }
    public bool[] WasOnDestination { get; }

    /// <summary>Store batches filled from this batch's values, to send to destination index Item1.</summary>
    public List<(int Destination, StoreBatch Batch)> Ready { get; } = [];

    public void Add(ReadOnlySpan<byte> key, long listedExpiry, long itemSize, UInt128 id, ulong cas, int destination, bool overwrite, bool wasOnDestination)
    {
        var i = Keys.Count;
        // The listing's item size bounds the value the source sends back: the fetch pipeline charges it to
        // the source's bytes/s limit before asking, and settles it with the value's real length.
        Keys.Add(key, listedExpiry, itemSize);
        Ids[i] = id;
        ListedCas[i] = cas;
        Destinations[i] = destination;
        Overwrite[i] = overwrite;
        WasOnDestination[i] = wasOnDestination;
    }

    public void Reset()
    {
        Keys.Reset();
        Keys.Tag = this; // KeyBatch.Reset clears the tag
        Ready.Clear();
    }

    public void Dispose() => Keys.Dispose();
}

/// <summary>A fixed set of <see cref="MoveFetchBatch"/>es (see <see cref="BatchPool{TBatch}"/>).</summary>
internal sealed class MoveFetchBatchPool(int batches, int batchSize)
    : BatchPool<MoveFetchBatch>(batches, () => new MoveFetchBatch(batchSize), static batch => batch.Reset());
