namespace MemcacheOps.Engine.Listing;

/// <summary>
/// Receives the raw listing stream in chunks of whole lines (each ending with '\n', no END line).
/// Called on the listing connection's reader: it must never block on a consumer, because a stalled
/// metadump reader stalls memcached's crawler while it holds server locks. Copy or spool, then return.
/// </summary>
public interface IListingChunkSink
{
    void Write(ReadOnlySpan<byte> lines, int lineCount);

    /// <summary>The listing ended (error is null) or failed.</summary>
    void Complete(Exception? error);
}
