using System.Threading.Channels;
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

    /// <summary>
    /// What the source will send back for this batch, from the listing's item sizes (header, key and
    /// value: close to the reply's bytes); charged to the source's bytes/s limit before fetching.
    /// </summary>
    public long ExpectedBytes { get; private set; }

    /// <summary>Store batches filled from this batch's values, to send to destination index Item1.</summary>
    public List<(int Destination, StoreBatch Batch)> Ready { get; } = [];

    public void Add(ReadOnlySpan<byte> key, long listedExpiry, long itemSize, UInt128 id, ulong cas, int destination, bool overwrite, bool wasOnDestination)
    {
        var i = Keys.Count;
        ExpectedBytes += itemSize;
        Keys.Add(key, listedExpiry);
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
        ExpectedBytes = 0;
        Ready.Clear();
    }

    public void Dispose() => Keys.Dispose();
}

/// <summary>A fixed set of <see cref="MoveFetchBatch"/>es; renting waits when all are in use.</summary>
internal sealed class MoveFetchBatchPool : IDisposable
{
    private readonly Channel<MoveFetchBatch> _free;
    private readonly List<MoveFetchBatch> _all = [];

    public MoveFetchBatchPool(int batches, int batchSize)
    {
        _free = Channel.CreateBounded<MoveFetchBatch>(batches);
        for (var i = 0; i < batches; i++)
        {
            var batch = new MoveFetchBatch(batchSize);
            _all.Add(batch);
            _free.Writer.TryWrite(batch);
        }
    }

    public async ValueTask<MoveFetchBatch> RentAsync(CancellationToken cancellationToken)
    {
        var batch = await _free.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        batch.Reset();
        return batch;
    }

    public void Return(MoveFetchBatch batch) => _free.Writer.TryWrite(batch);

    public void Dispose()
    {
        foreach (var batch in _all)
            batch.Dispose();
    }
}
