using System.Globalization;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// Client flags: clients store their serialisation format in them, so every bit must survive.

internal sealed class ZeroFlagsCheck : NodeCheck
{
    public override string Group => "Flags";
    public override string Name => "Zero";
    public override string Expected => "flags 0 read back as 0 (VALUE key 0 n; mg f0), also for ms without F";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("flags:zero");
        var value = c.Values.For(key, 8);
        Expect.Reply("set with flags 0", await c.StoreAsync("set", key, value, ct, flags: 0), "STORED");
        Expect.Item("get", await c.GetAsync(key, "get", ct), value, 0);
        if (!c.Profile.MetaCommands)
            return "0 via set/get";
        Expect.Reply("mg f", (await c.MetaAsync($"mg {key} f", ct)).Line, "HD f0");
        var meta = c.Key("flags:zero:ms");
        Expect.Code("ms without F", await c.MetaAsync($"ms {meta} {value.Length} T{NodeCheckContext.SafetyTtl}", ct, value), "HD");
        Expect.Reply("mg f after ms without F", (await c.MetaAsync($"mg {meta} f", ct)).Line, "HD f0");
        return "0 via set/get and ms/mg";
    }
}

internal sealed class MaxFlagsCheck : NodeCheck
{
    public override string Group => "Flags";
    public override string Name => "Max";
    public override string Expected => "flags 4294967295 (2^32-1) read back exactly through set/get and ms/mg";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("flags:max");
        var value = c.Values.For(key, 8);
        Expect.Reply("set with flags 4294967295", await c.StoreAsync("set", key, value, ct, flags: uint.MaxValue), "STORED");
        var item = await c.GetAsync(key, "get", ct);
        if (item is not null && item.Flags != uint.MaxValue)
            throw new CheckFailedException(string.Create(CultureInfo.InvariantCulture,
                $"get: expected flags 4294967295, got {item.Flags}: the server keeps {(c.Profile.FlagBits is { } bits ? bits.ToString(CultureInfo.InvariantCulture) : "fewer than 32")} flag bits, so items copied to it lose theirs"));
        Expect.Item("get", item, value, uint.MaxValue);
        if (!c.Profile.MetaCommands)
            return "4294967295 via set/get";
        var meta = c.Key("flags:max:ms");
        Expect.Code("ms F4294967295", await c.MetaAsync($"ms {meta} {value.Length} F4294967295 T{NodeCheckContext.SafetyTtl}", ct, value), "HD");
        Expect.Reply("mg f", (await c.MetaAsync($"mg {meta} f", ct)).Line, "HD f4294967295");
        var text = await c.GetAsync(meta, "get of the ms item", ct);
        Expect.Item("get of the ms item", text, value, uint.MaxValue);
        return "4294967295 via set/get, ms/mg and ms/get";
    }
}

internal sealed class EveryFlagBitCheck : NodeCheck
{
    public override string Group => "Flags";
    public override string Name => "EveryBit";
    public override string Expected => "each of the 32 flag bits alone, and 0x55555555 / 0xAAAAAAAA, read back exactly";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var patterns = Enumerable.Range(0, 32).Select(bit => 1u << bit).Concat([0x55555555u, 0xAAAAAAAAu]).ToArray();
        var keys = patterns.Select((_, i) => c.Key(TestKeys.Name("flags:bit", i))).ToArray();
        using (var request = new PooledBufferWriter(8 * 1024))
        {
            for (var i = 0; i < keys.Length; i++)
                Wire.AppendWithData(request, NodeCheckContext.StorageLine("set", keys[i], 1, patterns[i], noreply: true), "f"u8);
            await c.SendAsync(request.WrittenMemory, ct);
        }
        await c.ExpectSilenceAsync("34 set noreply", ct);
        var items = await c.RetrieveAsync("get " + string.Join(' ', keys), "get of 34 keys", ct);
        Expect.Equal("get of 34 keys: VALUE count", keys.Length, items.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            Expect.Reply("get of 34 keys: key order", items[i].Key, keys[i]);
            if (items[i].Flags != patterns[i])
                throw new CheckFailedException(string.Create(CultureInfo.InvariantCulture, $"flags 0x{patterns[i]:X8} came back as 0x{items[i].Flags:X8}"));
        }
        return "all 32 bits and both alternating patterns exact";
    }
}
