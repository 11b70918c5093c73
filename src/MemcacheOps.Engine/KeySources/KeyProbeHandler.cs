using MemcacheOps.Engine.Fetching;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.KeySources;

/// <summary>
/// Looks up a batch of given keys with <c>mg &lt;key&gt; s f t c q u O&lt;i&gt;</c> and writes a metadump
/// line for each key the server holds (<c>key= exp= la=0 cas= fetch=no cls=0 size= flags=</c>), so a key
/// list reads downstream exactly like a listing. <c>size</c> is the item's size in memory as memcached
/// computes it (header, CAS, key, value, flags), as metadump reports it. Runs on the connection's reader.
/// </summary>
internal sealed class KeyProbeHandler(IListingChunkSink sink, KeyBatchPool pool, TimeSpan serverClockSkew) : IMetaBatchHandler<KeyBatch>, IDisposable
{
    /// <summary>memcached 1.6's item header plus its CAS field.</summary>
    private const int ItemOverhead = 48 + 8;

    private readonly PooledBufferWriter _lines = new(64 * 1024);
    private readonly byte[] _encoded = new byte[KeyText.MaxDisplayLength];

    public long Found { get; private set; }

    public long Missing { get; private set; }

    public long Bytes { get; private set; }

    public void Serialize(KeyBatch batch, PooledBufferWriter writer, out int operations)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            writer.Write("mg "u8);
            var base64 = KeyCodec.WriteKeyToken(writer, batch.Key(i));
            writer.Write(" s f t c q u O"u8);
            writer.WriteDecimal(i);
            if (base64)
                writer.Write(" b"u8);
            writer.Write("\r\n"u8);
        }
        operations = batch.Count;
    }

    public void OnReply(KeyBatch batch, in MetaReply reply, ReadOnlySpan<byte> frame)
    {
        if (reply.Kind == MetaReplyKind.Header)
        {
            if (!reply.HasOpaque || reply.Opaque < 0 || reply.Opaque >= batch.Count || batch.WasSeen((int)reply.Opaque))
                MetaReplyParser.ThrowProtocol("a reply whose opaque does not match a key of the batch", frame[..reply.HeaderLength]);
            var index = (int)reply.Opaque;
            batch.MarkSeen(index);
            batch.Hits++;
            WriteLine(batch.Key(index), reply);
            return;
        }
        if (reply.Kind == MetaReplyKind.Miss)
            return;
        if (reply.IsError)
        {
            batch.Errors++;
            batch.FirstError ??= MetaReplyParser.Message(frame, reply);
            return;
        }
        MetaReplyParser.ThrowProtocol("an unexpected reply to mg", frame[..reply.HeaderLength]);
    }

    private void WriteLine(ReadOnlySpan<byte> key, in MetaReply reply)
    {
        var now = DateTimeOffset.UtcNow.Add(serverClockSkew).ToUnixTimeSeconds();
        var valueLength = reply.HasSize ? reply.Size : 0;
        var flags = reply.HasClientFlags ? reply.ClientFlags : 0u;
        _lines.Write("key="u8);
        var n = PercentEncoding.Encode(key, _encoded);
        _lines.Write(_encoded.AsSpan(0, n));
        _lines.Write(" exp="u8);
        _lines.WriteDecimal(reply.HasTtl && reply.Ttl >= 0 ? now + reply.Ttl : -1);
        _lines.Write(" la=0 cas="u8);
        _lines.WriteDecimal(reply.HasCas ? reply.Cas : 0UL);
        _lines.Write(" fetch=no cls=0 size="u8);
        _lines.WriteDecimal(ItemOverhead + key.Length + 1 + valueLength + 2 + (flags != 0 ? 4 : 0));
        _lines.Write(" flags="u8);
        _lines.WriteDecimal((long)flags);
        _lines.Write((byte)'\n');
    }

    public void OnBatchComplete(KeyBatch batch)
    {
        if (batch.Errors > 0)
            throw new MemcacheException(MemcacheErrorKind.ServerError, "MemcacheKeyLookupFailed",
                $"The server answered a lookup of given keys with an error: {batch.FirstError}.");
        if (_lines.WrittenCount > 0)
        {
            sink.Write(_lines.WrittenSpan, batch.Hits);
            Bytes += _lines.WrittenCount;
            _lines.Reset();
        }
        Found += batch.Hits;
        Missing += batch.Count - batch.Hits;
        pool.Return(batch);
    }

    public void Dispose() => _lines.Dispose();
}
