using System.Globalization;
using System.Security.Cryptography;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// Many commands in one write, replies read while the request is still being written (memcached stops
// reading a connection whose replies are not read, so a client that writes everything first can deadlock).

internal sealed class TextPipelineCheck : NodeCheck
{
    public override string Group => "Pipeline";
    public override string Name => "Text";
    public override string Expected => "text commands sent in one write are answered in order: STORED, VALUE, 15, STORED, VALUE, DELETED, END";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("pipe:text");
        using var request = new PooledBufferWriter(1024);
        Wire.AppendWithData(request, NodeCheckContext.StorageLine("set", key, 2), "10"u8);
        Wire.AppendLine(request, "get " + key);
        Wire.AppendLine(request, $"incr {key} 5");
        Wire.AppendWithData(request, NodeCheckContext.StorageLine("append", key, 1), "x"u8);
        Wire.AppendLine(request, "get " + key);
        Wire.AppendLine(request, "delete " + key);
        Wire.AppendLine(request, "get " + key);
        await c.SendAsync(request.WrittenMemory, ct);
        Expect.Reply("reply 1 (set)", await c.ReadLineAsync(ct), "STORED");
        Expect.Item("reply 2 (get)", Single(await c.ReadItemsAsync("reply 2 (get)", ct)), "10"u8);
        Expect.Reply("reply 3 (incr)", await c.ReadLineAsync(ct), "15");
        Expect.Reply("reply 4 (append)", await c.ReadLineAsync(ct), "STORED");
        Expect.Item("reply 5 (get)", Single(await c.ReadItemsAsync("reply 5 (get)", ct)), "15x"u8);
        Expect.Reply("reply 6 (delete)", await c.ReadLineAsync(ct), "DELETED");
        Expect.Equal("reply 7 (get after delete): VALUE count", 0, (await c.ReadItemsAsync("reply 7 (get)", ct)).Count);
        return "7 replies in order";
    }

    private static TextItem? Single(List<TextItem> items) => items.Count == 1 ? items[0] : null;
}

internal sealed class MetaPipelineCheck : NodeCheck
{
    private const int Keys = 1000;

    public override string Group => "Pipeline";
    public override string Name => "MetaQuietBatch";
    public override string Expected => "1,000 mg q in one write (half the keys missing) then mn: exactly the 500 hits, in order, each with its own key, opaque and value, then MN";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var keys = Enumerable.Range(0, Keys).Select(i => c.Key(TestKeys.Name("pipe:q", i))).ToArray();
        using (var store = new PooledBufferWriter(64 * 1024))
        {
            for (var i = 0; i < Keys; i += 2)
                Wire.AppendWithData(store, $"ms {keys[i]} {20 + i % 50} T{NodeCheckContext.SafetyTtl} q", c.Values.For(keys[i], 20 + i % 50));
            Wire.AppendLine(store, "mn");
            await c.SendAsync(store.WrittenMemory, ct);
            Expect.Reply("500 ms q then mn", await c.ReadLineAsync(ct), "MN");
        }
        using var request = new PooledBufferWriter(64 * 1024);
        for (var i = 0; i < Keys; i++)
            Wire.AppendLine(request, string.Create(CultureInfo.InvariantCulture, $"mg {keys[i]} v k q O{i}"));
        Wire.AppendLine(request, "mn");
        await c.ReadWhileSendingAsync(request.WrittenMemory, async () =>
        {
            for (var i = 0; i < Keys; i += 2)
            {
                var reply = await c.ReadMetaAsync(ct);
                var step = string.Create(CultureInfo.InvariantCulture, $"hit {i / 2 + 1} of 500");
                Expect.Reply(step + " (opaque)", reply.Flag('O') ?? reply.Line, i.ToString(CultureInfo.InvariantCulture));
                Expect.Reply(step + " (key)", reply.Flag('k') ?? string.Empty, keys[i], reply.Line);
                Expect.Value(step, reply, c.Values.For(keys[i], 20 + i % 50));
            }
            Expect.Reply("after the 500 hits", await c.ReadLineAsync(ct), "MN");
        }, ct);
        return "500 VA in order, keys, opaques and values exact, misses silent";
    }
}

internal sealed class LargePipelineCheck : NodeCheck
{
    private const int Keys = 2000;
    private const int ValueLength = 1024;

    public override string Group => "Pipeline";
    public override string Name => "ReadWhileWriting";
    public override string Expected => "2,000 writes of 1 KiB, then 2,000 reads in one write, replies read while writing: every value exact (2 MiB each way)";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var keys = Enumerable.Range(0, Keys).Select(i => c.Key(TestKeys.Name("pipe:large", i))).ToArray();
        var meta = c.Profile.MetaCommands;
        using (var store = new PooledBufferWriter(Keys * (ValueLength + 100)))
        {
            foreach (var key in keys)
            {
                var line = meta ? $"ms {key} {ValueLength} T{NodeCheckContext.SafetyTtl} q" : NodeCheckContext.StorageLine("set", key, ValueLength, noreply: true);
                Wire.AppendWithData(store, line, c.Values.For(key, ValueLength));
            }
            await c.SendAsync(store.WrittenMemory, ct);
            await c.ExpectSilenceAsync("2,000 quiet writes", ct);
        }
        var expected = keys.Select(k => c.Values.Checksum(k, ValueLength)).ToArray();
        using var request = new PooledBufferWriter(Keys * 64);
        foreach (var key in keys)
            Wire.AppendLine(request, meta ? $"mg {key} v" : "get " + key);
        await c.ReadWhileSendingAsync(request.WrittenMemory, async () =>
        {
            for (var i = 0; i < Keys; i++)
            {
                var step = string.Create(CultureInfo.InvariantCulture, $"read {i + 1} of {Keys:N0}");
                byte[]? value;
                if (meta)
                {
                    var reply = await c.ReadMetaAsync(ct);
                    Expect.Reply(step, reply.Code, "VA", reply.Line);
                    value = reply.Value ?? [];
                }
                else
                {
                    var items = await c.ReadItemsAsync(step, ct);
                    Expect.Equal(step + ": VALUE count", 1, items.Count);
                    value = items[0].Value;
                }
                if (!SHA256.HashData(value).AsSpan().SequenceEqual(expected[i]))
                    Expect.Bytes(step, c.Values.For(keys[i], ValueLength), value);
            }
        }, ct);
        return string.Create(CultureInfo.InvariantCulture, $"{Keys:N0} values exact by SHA-256 ({(meta ? "ms q / mg" : "set noreply / get")})");
    }
}
