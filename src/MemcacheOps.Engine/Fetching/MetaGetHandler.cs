using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Fetching;

/// <summary>
/// Fetches a batch with pipelined <c>mg &lt;key&gt; v f t q u O&lt;i&gt;</c> (plus <c>b</c> and base64 for keys
/// that need it). <c>u</c> leaves the server's LRU and last-access times alone; <c>q</c> silences
/// misses, so the opaque index says which key each value belongs to and unseen keys are the misses.
/// With <paramref name="includeCas"/> each request also asks for the CAS (<c>c</c>), which the sink reads
/// with <see cref="KeyBatch.Cas"/>: a move uses it to know exactly which version of an item it copied.
/// The values the replies carry are what the server's bytes/s limit counts: charged as the listing expects
/// before sending, settled with what arrived.
/// </summary>
public sealed class MetaGetHandler(IFetchedItemSink sink, bool includeCas = false) : IMetaBatchHandler<KeyBatch>
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Serialize(KeyBatch batch, PooledBufferWriter writer, out int operations)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            writer.Write("mg "u8);
            var base64 = KeyCodec.WriteKeyToken(writer, batch.Key(i));
            writer.Write(includeCas ? " v f t c q u O"u8 : " v f t q u O"u8);
            writer.WriteDecimal(i);
            if (base64)
                writer.Write(" b"u8);
            writer.Write("\r\n"u8);
        }
        operations = batch.Count;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void OnReply(KeyBatch batch, in MetaReply reply, ReadOnlySpan<byte> frame)
    {
        if (reply.Kind == MetaReplyKind.Value)
        {
            if (!reply.HasOpaque || reply.Opaque < 0 || reply.Opaque >= batch.Count || batch.WasSeen((int)reply.Opaque))
                MetaReplyParser.ThrowProtocol("a value whose opaque does not match a key of the batch", frame[..reply.HeaderLength]);
            var index = (int)reply.Opaque;
            batch.MarkSeen(index);
            batch.Hits++;
            batch.ReceivedValueBytes += reply.ValueLength;
            if (reply.HasCas)
                batch.SetCas(index, reply.Cas);
            sink.OnItem(batch, index, reply.ClientFlags, reply.HasTtl ? reply.Ttl : -1, frame.Slice(reply.HeaderLength, reply.ValueLength));
            return;
        }
        if (reply.Kind == MetaReplyKind.Miss)
            return; // only sent without q; a miss is simply an unseen key
        if (reply.IsError)
        {
            batch.Errors++;
            batch.FirstError ??= MetaReplyParser.Message(frame, reply);
            return;
        }
        MetaReplyParser.ThrowProtocol("an unexpected reply to mg", frame[..reply.HeaderLength]);
    }

    public long ValueBytesBefore(KeyBatch batch) => batch.ExpectedValueBytes;

    public long ValueBytesAfter(KeyBatch batch) => batch.ReceivedValueBytes;

    public void OnBatchComplete(KeyBatch batch) => sink.OnBatchComplete(batch);
}
