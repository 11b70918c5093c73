using System.Globalization;

namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// The text protocol's storage and retrieval commands with their exact reply lines (memcached's
// protocol.txt; t/getset.t and t/cas.t of its own tests check the same replies).

internal sealed class TextSetCheck : NodeCheck
{
    public override string Group => "Text";
    public override string Name => "Set";
    public override string Expected => "set answers STORED; get returns the value and flags exactly; a second set replaces the value";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("set");
        var first = c.Values.For(key, 100);
        Expect.Reply("set", await c.StoreAsync("set", key, first, ct, flags: 42), "STORED");
        Expect.Item("get after set", await c.GetAsync(key, "get after set", ct), first, 42);
        var second = c.Values.For(key + "#2", 37);
        Expect.Reply("set over an existing value", await c.StoreAsync("set", key, second, ct, flags: 7), "STORED");
        Expect.Item("get after the second set", await c.GetAsync(key, "get after the second set", ct), second, 7);
        return "STORED twice; value and flags exact each time";
    }
}

internal sealed class TextAddCheck : NodeCheck
{
    public override string Group => "Text";
    public override string Name => "Add";
    public override string Expected => "add of a new key answers STORED; add of an existing key NOT_STORED and the value is kept";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("add");
        var value = c.Values.For(key, 64);
        Expect.Reply("add of a new key", await c.StoreAsync("add", key, value, ct), "STORED");
        Expect.Reply("add of an existing key", await c.StoreAsync("add", key, c.Values.For(key + "#2", 64), ct), "NOT_STORED");
        Expect.Item("get after the refused add", await c.GetAsync(key, "get after the refused add", ct), value);
        return "STORED, then NOT_STORED; value kept";
    }
}

internal sealed class TextReplaceCheck : NodeCheck
{
    public override string Group => "Text";
    public override string Name => "Replace";
    public override string Expected => "replace of a missing key answers NOT_STORED and stores nothing; of an existing key STORED with the new value";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("replace");
        Expect.Reply("replace of a missing key", await c.StoreAsync("replace", key, c.Values.For(key + "#0", 10), ct), "NOT_STORED");
        Expect.Miss("get after the refused replace", await c.GetAsync(key, "get after the refused replace", ct));
        Expect.Reply("set", await c.StoreAsync("set", key, c.Values.For(key, 20), ct), "STORED");
        var replacement = c.Values.For(key + "#2", 30);
        Expect.Reply("replace of an existing key", await c.StoreAsync("replace", key, replacement, ct, flags: 5), "STORED");
        Expect.Item("get after replace", await c.GetAsync(key, "get after replace", ct), replacement, 5);
        return "NOT_STORED on a missing key, STORED on an existing one; value exact";
    }
}

/// <summary>append and prepend: the data joins the value; the flags and TTL given with it are ignored.</summary>
internal sealed class TextConcatenateCheck(string verb) : NodeCheck
{
    public override string Group => "Text";
    public override string Name => verb == "append" ? "Append" : "Prepend";
    public override string Expected => $"{verb} to an existing key answers STORED and joins the data, keeping the item's flags; to a missing key NOT_STORED";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key(verb);
        var original = c.Values.For(key, 50);
        var extra = c.Values.For(key + "#extra", 25);
        Expect.Reply("set", await c.StoreAsync("set", key, original, ct, flags: 99), "STORED");
        Expect.Reply($"{verb} to an existing key", await c.StoreAsync(verb, key, extra, ct, flags: 1), "STORED");
        byte[] joined = verb == "append" ? [.. original, .. extra] : [.. extra, .. original];
        Expect.Item($"get after {verb}", await c.GetAsync(key, $"get after {verb}", ct), joined, 99);
        var missing = c.Key(verb + ":missing");
        Expect.Reply($"{verb} to a missing key", await c.StoreAsync(verb, missing, extra, ct), "NOT_STORED");
        Expect.Miss($"get after the refused {verb}", await c.GetAsync(missing, $"get after the refused {verb}", ct));
        return "STORED and joined (flags kept); NOT_STORED on a missing key";
    }
}

internal sealed class TextCasCheck : NodeCheck
{
    public override string Group => "Text";
    public override string Name => "Cas";
    public override string Expected => "gets returns a CAS that changes on every write; cas with a stale one answers EXISTS, with the current one STORED, on a missing key NOT_FOUND";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("cas");
        Expect.Reply("set", await c.StoreAsync("set", key, c.Values.For(key, 10), ct), "STORED");
        var first = await GetsAsync(c, key, "gets", ct);
        var current = c.Values.For(key + "#2", 10);
        Expect.Reply("set", await c.StoreAsync("set", key, current, ct), "STORED");
        var second = await GetsAsync(c, key, "gets after a set", ct);
        Expect.True(second != first, "gets after a set", "a new CAS", second.ToString(CultureInfo.InvariantCulture) + " again");
        var stale = c.Values.For(key + "#stale", 10);
        Expect.Reply("cas with a stale CAS", await c.StoreAsync("cas", key, stale, ct, cas: first), "EXISTS");
        Expect.Item("get after the refused cas", await c.GetAsync(key, "get after the refused cas", ct), current);
        var winner = c.Values.For(key + "#3", 12);
        Expect.Reply("cas with the current CAS", await c.StoreAsync("cas", key, winner, ct, cas: second), "STORED");
        Expect.Item("get after cas", await c.GetAsync(key, "get after cas", ct), winner);
        var missing = c.Key("cas:missing");
        Expect.Reply("cas on a missing key", await c.StoreAsync("cas", missing, winner, ct, cas: second), "NOT_FOUND");
        return "EXISTS with a stale CAS, STORED with the current one, NOT_FOUND on a missing key";
    }

    private static async Task<ulong> GetsAsync(NodeCheckContext c, string key, string step, CancellationToken ct)
    {
        var item = await c.GetAsync(key, step, ct, verb: "gets");
        if (item?.Cas is not { } cas)
            throw new CheckFailedException($"{step}: expected VALUE with a CAS, got {(item is null ? "a miss" : "no CAS")}");
        return cas;
    }
}

internal sealed class TextMultiGetCheck : NodeCheck
{
    public override string Group => "Text";
    public override string Name => "MultiGet";
    public override string Expected => "get and gets of several keys return the hits in request order (a repeated key twice), skip misses, then END";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var keys = Enumerable.Range(0, 4).Select(i => c.Key(TestKeys.Name("multi", i))).ToArray();
        var missing = c.Key("multi:missing");
        for (var i = 0; i < keys.Length; i++)
            Expect.Reply("set", await c.StoreAsync("set", keys[i], c.Values.For(keys[i], 10 + i), ct, flags: (uint)i), "STORED");
        string[] asked = [keys[2], missing, keys[0], keys[3], keys[1], keys[2]];
        foreach (var verb in new[] { "get", "gets" })
        {
            var items = await c.RetrieveAsync(verb + " " + string.Join(' ', asked), verb + " of six keys", ct);
            var expected = asked.Where(k => k != missing).ToArray();
            Expect.Equal($"{verb} of six keys (one missing, one twice): VALUE count", expected.Length, items.Count);
            for (var i = 0; i < expected.Length; i++)
            {
                Expect.Reply($"{verb}: VALUE {i + 1}", items[i].Key, expected[i]);
                var index = Array.IndexOf(keys, expected[i]);
                Expect.Item($"{verb}: VALUE {i + 1}", items[i], c.Values.For(keys[index], 10 + index), (uint)index);
                if (verb == "gets" && items[i].Cas is null)
                    throw new CheckFailedException($"gets: VALUE {i + 1} has no CAS");
            }
        }
        return "5 hits in request order, miss skipped, END (get and gets)";
    }
}

internal sealed class TextTouchCheck : NodeCheck
{
    public override string Group => "Text";
    public override string Name => "Touch";
    public override string Expected => "touch of an existing key answers TOUCHED and sets its TTL; of a missing key NOT_FOUND";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("touch");
        var value = c.Values.For(key, 10);
        Expect.Reply("set", await c.StoreAsync("set", key, value, ct, exptime: 100), "STORED");
        Expect.Reply("touch", await c.CommandAsync($"touch {key} 300", ct), "TOUCHED");
        Expect.Reply("touch of a missing key", await c.CommandAsync($"touch {c.Key("touch:missing")} 300", ct), "NOT_FOUND");
        Expect.Item("get after touch", await c.GetAsync(key, "get after touch", ct), value);
        if (!c.Profile.MetaCommands)
            return "TOUCHED, NOT_FOUND (the TTL cannot be read without meta commands)";
        Expect.Ttl("TTL after touch 300", await c.TtlAsync(key, "mg t after touch", ct), 300);
        return "TOUCHED with the new TTL; NOT_FOUND on a missing key";
    }
}

internal sealed class TextGetAndTouchCheck : NodeCheck
{
    public override string Group => "Text";
    public override string Name => "GetAndTouch";
    public override string Expected => "gat returns the value and sets the TTL; gats adds the CAS; a missing key gives only END";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("gat");
        var value = c.Values.For(key, 20);
        Expect.Reply("set", await c.StoreAsync("set", key, value, ct, flags: 3, exptime: 100), "STORED");
        var missing = c.Key("gat:missing");
        var items = await c.RetrieveAsync($"gat 300 {key} {missing}", "gat", ct);
        Expect.Equal("gat of a hit and a miss: VALUE count", 1, items.Count);
        Expect.Reply("gat", items[0].Key, key);
        Expect.Item("gat", items[0], value, 3);
        if (c.Profile.MetaCommands)
            Expect.Ttl("TTL after gat 300", await c.TtlAsync(key, "mg t after gat", ct), 300);
        var withCas = await c.RetrieveAsync($"gats 400 {key}", "gats", ct);
        Expect.Equal("gats: VALUE count", 1, withCas.Count);
        Expect.Item("gats", withCas[0], value, 3);
        Expect.True(withCas[0].Cas is not null, "gats", "VALUE with a CAS", "no CAS");
        if (c.Profile.MetaCommands)
            Expect.Ttl("TTL after gats 400", await c.TtlAsync(key, "mg t after gats", ct), 400);
        Expect.Equal("gat of a missing key: VALUE count", 0, (await c.RetrieveAsync($"gat 300 {missing}", "gat of a missing key", ct)).Count);
        return c.Profile.MetaCommands ? "value, flags and new TTL exact; CAS from gats; END on a miss" : "value, flags exact; CAS from gats; END on a miss";
    }
}

internal sealed class TextDeleteCheck : NodeCheck
{
    public override string Group => "Text";
    public override string Name => "Delete";
    public override string Expected => "delete answers DELETED, the key then misses, and a second delete answers NOT_FOUND";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("delete");
        Expect.Reply("set", await c.StoreAsync("set", key, c.Values.For(key, 10), ct), "STORED");
        Expect.Reply("delete", await c.CommandAsync("delete " + key, ct), "DELETED");
        Expect.Miss("get after delete", await c.GetAsync(key, "get after delete", ct));
        Expect.Reply("second delete", await c.CommandAsync("delete " + key, ct), "NOT_FOUND");
        return "DELETED, miss, NOT_FOUND";
    }
}
