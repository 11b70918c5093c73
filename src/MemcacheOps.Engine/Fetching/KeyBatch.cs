using System.Buffers;

namespace MemcacheOps.Engine.Fetching;

/// <summary>
/// A batch of keys to fetch, stored back to back in one pooled buffer so building and sending a
/// batch allocates nothing. Batches are recycled through a <see cref="KeyBatchPool"/>; the pool's
/// size bounds how many are in memory at once.
/// </summary>
public sealed class KeyBatch : IDisposable
{
    private byte[] _keys;
    private int[] _offsets;
    private int[] _lengths;
    private long[] _listedExpiry;
    private bool[] _seen;
    private ulong[] _cas;
    private long[] _expectedBytes;
    private int _used;

    public KeyBatch(int capacity)
    {
        Capacity = capacity;
        _keys = ArrayPool<byte>.Shared.Rent(capacity * 64);
        _offsets = new int[capacity];
        _lengths = new int[capacity];
        _listedExpiry = new long[capacity];
        _seen = new bool[capacity];
        _cas = new ulong[capacity];
        _expectedBytes = new long[capacity];
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>Replies that carried a value for this batch.</summary>
    public int Hits { get; internal set; }

    /// <summary>Error replies (CLIENT_ERROR / SERVER_ERROR) received for this batch.</summary>
    public int Errors { get; internal set; }

    /// <summary>The first error text of the batch, for reporting.</summary>
    public string? FirstError { get; internal set; }

    /// <summary>
    /// Value bytes the fetch of this batch is expected to bring back: what <see cref="Add"/> was told for each
    /// key, at least one byte a key. Charged to the server's bytes/s limit before the batch is sent.
    /// </summary>
    public long ExpectedValueBytes { get; private set; }

    /// <summary>Value bytes the batch's replies carried (counted by the fetch handler); settled against the expectation.</summary>
    public long ReceivedValueBytes { get; internal set; }

    /// <summary>Caller-defined tag (e.g. which key file the batch came from).</summary>
    public object? Tag { get; set; }

    public ReadOnlySpan<byte> Key(int index) => _keys.AsSpan(_offsets[index], _lengths[index]);

    /// <summary>The expiry the listing reported (absolute unix or -1), for filters and comparisons.</summary>
    public long ListedExpiry(int index) => _listedExpiry[index];

    public bool WasSeen(int index) => _seen[index];

    internal void MarkSeen(int index) => _seen[index] = true;

    /// <summary>The CAS the fetch reply carried (only when the handler asked for it; 0 otherwise).</summary>
    public ulong Cas(int index) => _cas[index];

    internal void SetCas(int index, ulong cas) => _cas[index] = cas;

    /// <summary>What <see cref="Add"/> was told to expect for key <paramref name="index"/> (at least 1).</summary>
    public long ExpectedBytes(int index) => _expectedBytes[index];

    /// <param name="key">The key.</param>
    /// <param name="listedExpiry">The expiry the listing reported (absolute unix or -1).</param>
    /// <param name="expectedBytes">
    /// The value bytes its fetch should bring back, from the listing's item size (an upper bound: it includes
    /// the item's header and key) or a value length known otherwise; unknown is one byte.
    /// </param>
    public void Add(ReadOnlySpan<byte> key, long listedExpiry = -1, long expectedBytes = 1)
    {
        if (IsFull)
            throw new InvalidOperationException("The batch is full.");
        if (_used + key.Length > _keys.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_keys.Length * 2, _used + key.Length));
            Buffer.BlockCopy(_keys, 0, bigger, 0, _used);
            ArrayPool<byte>.Shared.Return(_keys);
            _keys = bigger;
        }
        key.CopyTo(_keys.AsSpan(_used));
        _offsets[Count] = _used;
        _lengths[Count] = key.Length;
        _listedExpiry[Count] = listedExpiry;
        _seen[Count] = false;
        _cas[Count] = 0;
        _expectedBytes[Count] = Math.Max(expectedBytes, 1);
        ExpectedValueBytes += _expectedBytes[Count];
        _used += key.Length;
        Count++;
    }

    public void Reset()
    {
        Count = 0;
        _used = 0;
        Hits = 0;
        Errors = 0;
        ExpectedValueBytes = 0;
        ReceivedValueBytes = 0;
        FirstError = null;
        Tag = null;
    }

    public void Dispose()
    {
        var keys = _keys;
        _keys = [];
        if (keys.Length > 0)
            ArrayPool<byte>.Shared.Return(keys);
    }
}

/// <summary>A fixed set of reusable key batches (see <see cref="BatchPool{TBatch}"/>).</summary>
public sealed class KeyBatchPool(int batches, int batchSize)
    : BatchPool<KeyBatch>(batches, () => new KeyBatch(batchSize), static batch => batch.Reset());
