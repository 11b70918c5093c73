using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// The prefill and the clean-up of a run: every key written once (<c>ms ... q</c>) before the measured phase, so
/// the hit ratio is known, and every key deleted (<c>md ... q</c>) after it. Quiet commands in batches closed by
/// <c>mn</c>, so only failures come back; the key range is split over several connections.
/// </summary>
internal static class KeyBatches
{
    private const int BatchBytes = 64 * 1024;

    public static Task PrefillAsync(LoadContext context, LoadServer server, CancellationToken cancellationToken)
    {
        var ttl = context.TtlText;
        return RunAsync(context, server, "prefill", (writer, key) =>
        {
            var length = context.Pattern.SizeOf(key, 1);
            writer.Write("ms "u8);
            writer.Advance(context.WriteKey(key, writer.GetSpan(context.MaxKeyLength)));
            writer.Write((byte)' ');
            writer.WriteDecimal(length);
            writer.Write(" T"u8);
            writer.Write(ttl);
            writer.Write(" q\r\n"u8);
            var span = writer.GetSpan(length + 2);
            context.Pattern.Write(key, 1, span[..length]);
            span[length] = (byte)'\r';
            span[length + 1] = (byte)'\n';
            writer.Advance(length + 2);
            server.Issued[key] = 1;
            server.Acked[key] = 1;
        }, allowNotFound: false, cancellationToken);
    }

    public static Task DeleteAsync(LoadContext context, LoadServer server, CancellationToken cancellationToken)
        => RunAsync(context, server, "clean-up", (writer, key) =>
        {
            writer.Write("md "u8);
            writer.Advance(context.WriteKey(key, writer.GetSpan(context.MaxKeyLength)));
            writer.Write(" q\r\n"u8);
        }, allowNotFound: true, cancellationToken);

    private static async Task RunAsync(LoadContext context, LoadServer server, string what, Action<PooledBufferWriter, int> write, bool allowNotFound, CancellationToken cancellationToken)
    {
        var keyCount = context.Options.KeyCount;
        var parts = Math.Clamp(keyCount / 5000, 1, context.Options.Connections);
        var tasks = new Task[parts];
        for (var p = 0; p < parts; p++)
        {
            var from = (int)((long)keyCount * p / parts);
            var to = (int)((long)keyCount * (p + 1) / parts);
            tasks[p] = Task.Run(() => RangeAsync(context, server, what, from, to, write, allowNotFound, cancellationToken), cancellationToken);
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static async Task RangeAsync(LoadContext context, LoadServer server, string what, int from, int to, Action<PooledBufferWriter, int> write, bool allowNotFound, CancellationToken cancellationToken)
    {
        await using var connection = await MemcachedConnection.OpenAsync(server.Endpoint, context.Options.Connection, cancellationToken).ConfigureAwait(false);
        using var writer = new PooledBufferWriter(BatchBytes + context.Pattern.MaxSize + 1024);
        var key = from;
        while (key < to)
        {
            writer.Reset();
            while (key < to && writer.WrittenCount < BatchBytes)
                write(writer, key++);
            writer.Write("mn\r\n"u8);
            await connection.SendAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await ReadUntilNoOpAsync(connection, server, what, allowNotFound, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ReadUntilNoOpAsync(MemcachedConnection connection, LoadServer server, string what, bool allowNotFound, CancellationToken cancellationToken)
    {
        while (true)
        {
            while (MetaReplyParser.TryParseHeader(connection.Buffered, out var reply))
            {
                var line = connection.Buffered[..reply.HeaderLength];
                if (reply.Kind == MetaReplyKind.NoOp)
                {
                    connection.Consume(reply.HeaderLength);
                    return;
                }
                if (reply.Kind == MetaReplyKind.NotFound && allowNotFound)
                {
                    connection.Consume(reply.HeaderLength);
                    continue;
                }
                var text = System.Text.Encoding.ASCII.GetString(line).TrimEnd();
                throw new MemcacheException(reply.Kind == MetaReplyKind.ServerError ? MemcacheErrorKind.ServerError : MemcacheErrorKind.ProtocolError, "LatencyPrefillFailed",
                    $"The {what} of the run's keys on {server.Name} failed: the server answered '{text}'. {(reply.Kind == MetaReplyKind.ServerError ? "Check its memory (-m) and item size limit (-I) against -KeyCount and -ValueSize." : "Check that it is memcached 1.6 or later (meta commands).")}",
                    server.Name);
            }
            await connection.FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
