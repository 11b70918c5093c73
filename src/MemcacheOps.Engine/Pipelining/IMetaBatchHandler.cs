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
