namespace MemcacheOps.Engine.Fetching;

/// <summary>
/// Receives fetched items on a connection's reader thread. Spans are valid only during the call:
/// write them out (to a data file, a target server's send buffer, a comparison) before returning.
/// One sink serves one connection, so implementations need no locking.
/// </summary>
public interface IFetchedItemSink
{
    /// <param name="ttl">Remaining time to live in seconds as the server reports it; -1 means never expires.</param>
    void OnItem(KeyBatch batch, int index, uint flags, long ttl, ReadOnlySpan<byte> value);

    /// <summary>Called once per batch after all its replies; keys not marked seen were missing (expired, evicted or deleted since listing).</summary>
    void OnBatchComplete(KeyBatch batch);
}
