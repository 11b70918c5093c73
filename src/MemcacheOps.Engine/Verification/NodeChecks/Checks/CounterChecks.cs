using System.Text;

namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// incr and decr: unsigned 64-bit decimal counters that wrap on overflow and stop at 0 (t/incrdecr.t).

internal static class Counter
{
    public static async Task SetAsync(NodeCheckContext c, string key, string number, CancellationToken ct)
        => Expect.Reply($"set of {number}", await c.StoreAsync("set", key, Encoding.ASCII.GetBytes(number), ct), "STORED");

    public static async Task ApplyAsync(NodeCheckContext c, string key, string command, string expected, CancellationToken ct)
        => Expect.Reply(command, await c.CommandAsync($"{command.Split(' ')[0]} {key} {command.Split(' ')[1]}", ct), expected);

    /// <summary>The stored number: memcached keeps an item's length when a result is shorter and pads it with spaces.</summary>
    public static async Task ReadsAsync(NodeCheckContext c, string key, string expected, CancellationToken ct)
    {
        var item = await c.GetAsync(key, "get of the counter", ct) ?? throw new CheckFailedException("get of the counter: expected the item, got a miss");
        var text = Encoding.ASCII.GetString(item.Value);
        if (text.TrimEnd(' ') != expected)
            throw new CheckFailedException($"get of the counter: expected {expected} (maybe padded with spaces), got {Expect.Show(text)}");
    }
}

internal sealed class IncrDecrCheck : NodeCheck
{
    public override string Group => "Counters";
    public override string Name => "IncrDecr";
    public override string Expected => "incr and decr answer the new value and store it; a result with more digits grows the item (99 + 1 = 100)";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("counter");
        await Counter.SetAsync(c, key, "10", ct);
        await Counter.ApplyAsync(c, key, "incr 5", "15", ct);
        await Counter.ApplyAsync(c, key, "decr 3", "12", ct);
        await Counter.ApplyAsync(c, key, "incr 87", "99", ct);
        await Counter.ApplyAsync(c, key, "incr 1", "100", ct);
        await Counter.ReadsAsync(c, key, "100", ct);
        return "15, 12, 99, 100; stored";
    }
}

internal sealed class DecrFloorCheck : NodeCheck
{
    public override string Group => "Counters";
    public override string Name => "DecrFloor";
    public override string Expected => "decr never goes below 0; a result with fewer digits reads back as the number (memcached pads it with spaces)";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("counter:floor");
        await Counter.SetAsync(c, key, "100", ct);
        await Counter.ApplyAsync(c, key, "decr 1", "99", ct);
        await Counter.ReadsAsync(c, key, "99", ct);
        await Counter.ApplyAsync(c, key, "decr 1000", "0", ct);
        await Counter.ReadsAsync(c, key, "0", ct);
        await Counter.ApplyAsync(c, key, "decr 1", "0", ct);
        return "99, then 0 and 0 again";
    }
}

internal sealed class CounterWrapCheck : NodeCheck
{
    public override string Group => "Counters";
    public override string Name => "Wrap";
    public override string Expected => "counters are unsigned 64-bit: 2^64-2 + 1 = 18446744073709551615, and one more wraps to 0";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("counter:wrap");
        await Counter.SetAsync(c, key, "18446744073709551614", ct);
        await Counter.ApplyAsync(c, key, "incr 1", "18446744073709551615", ct);
        await Counter.ApplyAsync(c, key, "incr 1", "0", ct);
        await Counter.ReadsAsync(c, key, "0", ct);
        await Counter.ApplyAsync(c, key, "incr 18446744073709551615", "18446744073709551615", ct);
        await Counter.ApplyAsync(c, key, "decr 18446744073709551615", "0", ct);
        return "2^64-1, wrapped to 0, back to 2^64-1 and down to 0";
    }
}

internal sealed class CounterErrorsCheck : NodeCheck
{
    public override string Group => "Counters";
    public override string Name => "Errors";
    public override string Expected => "incr of a non-numeric value and deltas that are not an unsigned 64-bit number answer CLIENT_ERROR and change nothing";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var text = c.Key("counter:text");
        Expect.Reply("set of text", await c.StoreAsync("set", text, "hi"u8.ToArray(), ct), "STORED");
        Expect.Reply("incr of a non-numeric value", await c.CommandAsync($"incr {text} 1", ct), "CLIENT_ERROR cannot increment or decrement non-numeric value");
        Expect.Item("get after the refused incr", await c.GetAsync(text, "get", ct), "hi"u8);
        var key = c.Key("counter:delta");
        await Counter.SetAsync(c, key, "7", ct);
        foreach (var delta in new[] { "abc", "-1", "18446744073709551616" })
            Expect.Reply($"incr by {delta}", await c.CommandAsync($"incr {key} {delta}", ct), "CLIENT_ERROR invalid numeric delta argument");
        await Counter.ReadsAsync(c, key, "7", ct);
        return "CLIENT_ERROR for text and for deltas abc, -1, 2^64; values unchanged";
    }
}
