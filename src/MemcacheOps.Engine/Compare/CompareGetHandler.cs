using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// Reads what a server holds for each key of a <see cref="ServerRequest"/> with pipelined
/// <c>mg &lt;key&gt; [v] s f t q u O&lt;i&gt;</c> (plus <c>b</c> and base64 for keys that need it). Without
/// <c>v</c> the server still reports the value's length (<c>s</c>), flags and remaining TTL, which is all
/// the Extra pass needs. <c>u</c> leaves the LRU alone; <c>q</c> silences misses, so unseen keys are absent.
/// </summary>
internal sealed class CompareGetHandler : IMetaBatchHandler<ServerRequest>
{
    public static readonly CompareGetHandler Instance = new();

    public void Serialize(ServerRequest request, PooledBufferWriter writer, out int operations)
    {
        var keys = request.Batch.Keys;
        var records = request.Records;
        for (var i = 0; i < request.Count; i++)
        {
            var index = request.Indexes[i];
            records[index] = default;
            writer.Write("mg "u8);
            var base64 = KeyCodec.WriteKeyToken(writer, keys.Key(index));
            writer.Write(request.WithValues ? " v s f t q u O"u8 : " s f t q u O"u8);
            writer.WriteDecimal(i);
            if (base64)
                writer.Write(" b"u8);
            writer.Write("\r\n"u8);
        }
        operations = request.Count;
    }

    public void OnReply(ServerRequest request, in MetaReply reply, ReadOnlySpan<byte> frame)
    {
        if (reply.Kind is MetaReplyKind.Value or MetaReplyKind.Header)
        {
            if (!reply.HasOpaque || reply.Opaque < 0 || reply.Opaque >= request.Count)
                MetaReplyParser.ThrowProtocol("a reply whose opaque does not match a key of the batch", frame[..reply.HeaderLength]);
            ref var record = ref request.Records[request.Indexes[(int)reply.Opaque]];
            if (record.Present)
                MetaReplyParser.ThrowProtocol("a second reply for one key of the batch", frame[..reply.HeaderLength]);
            record.Present = true;
            record.Flags = reply.ClientFlags;
            record.Ttl = reply.HasTtl ? reply.Ttl : -1;
            if (reply.Kind == MetaReplyKind.Value)
            {
                request.ReceivedValueBytes += reply.ValueLength;
                record.Size = reply.ValueLength;
                record.Digest = ItemRecord.DigestOf(frame.Slice(reply.HeaderLength, reply.ValueLength));
                record.HasDigest = true;
            }
            else
            {
                record.Size = reply.HasSize ? reply.Size : -1;
            }
            return;
        }
        if (reply.Kind == MetaReplyKind.Miss)
            return; // only sent without q; a miss is simply an absent key
        if (reply.IsError)
        {
            request.Errors++;
            request.FirstError ??= MetaReplyParser.Message(frame, reply);
            return;
        }
        MetaReplyParser.ThrowProtocol("an unexpected reply to mg", frame[..reply.HeaderLength]);
    }

    public long ValueBytesBefore(ServerRequest request) => request.ExpectedValueBytes();

    public long ValueBytesAfter(ServerRequest request) => request.ReceivedValueBytes;

    public void OnBatchComplete(ServerRequest request) => request.OnComplete(request);
}
