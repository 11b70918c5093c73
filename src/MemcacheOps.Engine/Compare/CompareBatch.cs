using MemcacheOps.Engine.Fetching;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// A batch of keys in flight through one pass: the side being enumerated fills
/// <see cref="Enumerated"/>, the other side's lookup fills <see cref="Other"/>, then the keys are
/// classified. Batches are recycled through a <see cref="CompareBatchPool"/>, which bounds memory.
/// </summary>
internal sealed class CompareBatch : IDisposable
{
    public CompareBatch(int capacity)
    {
        Keys = new KeyBatch(capacity);
        Enumerated = new ItemRecord[capacity];
        Other = new ItemRecord[capacity];
        EnumeratedServer = new int[capacity];
        OtherServer = new int[capacity];
    }

    public KeyBatch Keys { get; }

    public int Count => Keys.Count;

    public bool IsFull => Keys.IsFull;

    public ItemRecord[] Enumerated { get; }

    public ItemRecord[] Other { get; }

    /// <summary>Index (into its side) of the server each enumerated key came from.</summary>
    public int[] EnumeratedServer { get; }

    /// <summary>Index (into its side) of the server each key was looked up on.</summary>
    public int[] OtherServer { get; }

    /// <summary>Reusable request objects a server side keeps with the batch, so lookups allocate nothing per key.</summary>
    public object? EnumerationState { get; set; }

    public object? LookupState { get; set; }

    /// <summary>
    /// Adds a key; its records start absent. Returns its index. <paramref name="expectedBytes"/> is the value
    /// length reading it should bring back, from the listing's item size when known (see <see cref="KeyBatch.Add"/>).
    /// </summary>
    public int Add(ReadOnlySpan<byte> key, int server, long expectedBytes = 1)
    {
        var index = Keys.Count;
        Keys.Add(key, -1, expectedBytes);
        Enumerated[index] = default;
        Other[index] = default;
        EnumeratedServer[index] = server;
        OtherServer[index] = -1;
        return index;
    }

    /// <summary>Empties the batch; the reusable request objects stay.</summary>
    public void Reset() => Keys.Reset();

    public void Dispose() => Keys.Dispose();
}

/// <summary>A fixed set of reusable comparison batches (see <see cref="BatchPool{TBatch}"/>).</summary>
internal sealed class CompareBatchPool(int batches, int batchSize)
    : BatchPool<CompareBatch>(batches, () => new CompareBatch(batchSize), static batch => batch.Reset());
