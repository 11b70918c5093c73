using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Pipelining;

/// <summary>
/// What a <see cref="MetaPipeline{TBatch}"/> needs from the operation it runs: how to write a batch
/// of meta commands and what to do with each reply. Replies are handed over as spans of the
/// connection buffer, valid only during the call: the handler copies or writes them out at once.
/// </summary>
public interface IMetaBatchHandler<in TBatch>
{
    /// <summary>Writes the batch's commands; the pipeline appends the closing <c>mn</c>.</summary>
    void Serialize(TBatch batch, PooledBufferWriter writer, out int operations);

    /// <summary>Handles one reply of the batch (never the closing MN). <paramref name="frame"/> starts at the reply header.</summary>
    void OnReply(TBatch batch, in MetaReply reply, ReadOnlySpan<byte> frame);

    /// <summary>Called on the reader after the batch's MN arrived: every reply of the batch has been handled.</summary>
    void OnBatchComplete(TBatch batch);

    /// <summary>
    /// Value bytes the batch moves as far as known before it is sent: the values it stores, or the values its
    /// fetches are expected to bring back (from the listing's item sizes). The pipeline charges them to the
    /// server's bytes/s limit before sending; the default, none, suits requests that move no values.
    /// </summary>
    long ValueBytesBefore(TBatch batch) => 0;

    /// <summary>
    /// Value bytes the batch actually moved, read on the reader once its replies were handled and before
    /// <see cref="OnBatchComplete"/> hands the batch back; the difference from <see cref="ValueBytesBefore"/>
    /// is settled with the throttle. The default: exactly what was charged.
    /// </summary>
    long ValueBytesAfter(TBatch batch) => ValueBytesBefore(batch);

    /// <summary>
    /// For batches that are already serialised (with their closing <c>mn</c>): the bytes to send as they
    /// are, saving a copy of large values. The default says no, and <see cref="Serialize"/> is used.
    /// </summary>
    bool TryGetSerialized(TBatch batch, out ReadOnlyMemory<byte> bytes, out int operations)
    {
        bytes = default;
        operations = 0;
        return false;
    }
}
