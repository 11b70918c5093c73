namespace MemcacheOps.Engine.Compare;

/// <summary>
/// Keys of one <see cref="CompareBatch"/> to read from one server, as one pipelined batch: either to
/// enumerate (fill the batch's enumerated records) or to look up (fill the other side's records).
/// Each batch keeps its request objects, so requests are reused rather than allocated.
/// </summary>
internal sealed class ServerRequest(int capacity)
{
    public CompareBatch Batch { get; set; } = null!;

    /// <summary>Positions in <see cref="Batch"/> of the keys to read.</summary>
    public int[] Indexes { get; } = new int[capacity];

    public int Count { get; set; }

    /// <summary>True to fill <see cref="CompareBatch.Enumerated"/>, false to fill <see cref="CompareBatch.Other"/>.</summary>
    public bool FillEnumerated { get; set; }

    /// <summary>Read the values (to digest them); otherwise only their length, flags and TTL.</summary>
    public bool WithValues { get; set; }

    /// <summary>Called on the connection's reader after the batch's last reply; must not block.</summary>
    public Action<ServerRequest> OnComplete { get; set; } = static _ => { };

    /// <summary>Index (into its side) of the server the request goes to.</summary>
    public int Server { get; set; }

    public int Errors { get; set; }

    public string? FirstError { get; set; }

    /// <summary>Value bytes the replies carried (the server's bytes/s limit settles with them).</summary>
    public long ReceivedValueBytes { get; set; }

    /// <summary>
    /// Value bytes reading the request's keys should bring back: for a lookup, the length the enumerated
    /// side found (the sides are meant to be equal); else what the listing said.
    /// </summary>
    public long ExpectedValueBytes()
    {
        if (!WithValues)
            return 0;
        long total = 0;
        for (var i = 0; i < Count; i++)
        {
            var index = Indexes[i];
            ref readonly var enumerated = ref Batch.Enumerated[index];
            total += !FillEnumerated && enumerated.Present && enumerated.Size >= 0 ? Math.Max(enumerated.Size, 1) : Batch.Keys.ExpectedBytes(index);
        }
        return total;
    }

    public ItemRecord[] Records => FillEnumerated ? Batch.Enumerated : Batch.Other;

    public void Start(CompareBatch batch, int server, bool fillEnumerated, bool withValues, Action<ServerRequest> onComplete)
    {
        Batch = batch;
        Server = server;
        Count = 0;
        FillEnumerated = fillEnumerated;
        WithValues = withValues;
        OnComplete = onComplete;
        Errors = 0;
        FirstError = null;
        ReceivedValueBytes = 0;
    }

    public void Add(int index) => Indexes[Count++] = index;
}
