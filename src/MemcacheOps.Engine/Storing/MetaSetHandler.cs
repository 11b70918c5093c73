using System.Text;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Storing;

/// <summary>
/// Sends <see cref="StoreBatch"/>es and counts their outcomes. With <c>q</c> a successful store is
/// silent; NS (add found the key, replace did not), out-of-memory, too-large and other errors still
/// reply, so stored = sent minus those.
/// </summary>
public sealed class MetaSetHandler(Action<StoreBatch> onBatchComplete) : IMetaBatchHandler<StoreBatch>
{
    public void Serialize(StoreBatch batch, PooledBufferWriter writer, out int operations)
    {
        writer.Write(batch.Commands);
        operations = batch.Count;
    }

    /// <summary>The values the batch stores: what the target's bytes/s limit counts.</summary>
    public long ValueBytesBefore(StoreBatch batch) => batch.ValueBytes;

    public bool TryGetSerialized(StoreBatch batch, out ReadOnlyMemory<byte> bytes, out int operations)
    {
        bytes = batch.Seal();
        operations = batch.Count;
        return true;
    }

    public void OnReply(StoreBatch batch, in MetaReply reply, ReadOnlySpan<byte> frame)
    {
        switch (reply.Kind)
        {
            case MetaReplyKind.Header:
                return;
            case MetaReplyKind.NotStored:
                batch.NotStored++;
                return;
            case MetaReplyKind.ServerError:
                var message = MetaReplyParser.Message(frame, reply);
                if (message.Contains("too large", StringComparison.Ordinal))
                    batch.TooLarge++;
                else if (message.Contains("out of memory", StringComparison.Ordinal))
                    batch.OutOfMemory++;
                else
                    batch.Failed++;
                batch.FirstFailure ??= message;
                return;
            case MetaReplyKind.ClientError:
            case MetaReplyKind.Error:
            case MetaReplyKind.Exists:
            case MetaReplyKind.NotFound:
                batch.Failed++;
                batch.FirstFailure ??= reply.HasOpaque && reply.Opaque >= 0 && reply.Opaque < batch.Count
                    ? $"{reply.Kind} for key '{Encoding.UTF8.GetString(batch.KeyToken((int)reply.Opaque))}'"
                    : reply.IsError ? MetaReplyParser.Message(frame, reply) : reply.Kind.ToString();
                return;
            default:
                MetaReplyParser.ThrowProtocol("an unexpected reply to ms", frame[..reply.HeaderLength]);
                return;
        }
    }

    public void OnBatchComplete(StoreBatch batch) => onBatchComplete(batch);
}
