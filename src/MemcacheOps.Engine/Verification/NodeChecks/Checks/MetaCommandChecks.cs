using System.Globalization;

namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// Meta commands (ms, mg, md, ma, mn) with their reply codes and flags, as memcached 1.6 answers them
// (protocol.txt's meta section and t/metaget.t). Flags come back in the order they were asked for.

internal sealed class MetaSetGetCheck : NodeCheck
{
    public override string Group => "Meta";
    public override string Name => "SetGet";
    public override string Expected => "ms with T F c k O answers HD c k O; mg v f t c k s O answers VA with f, t, c (the same), k, s and O in that order";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("ms");
        var value = c.Values.For(key, 333);
        var stored = await c.MetaAsync($"ms {key} {value.Length} T{NodeCheckContext.SafetyTtl} F42 c k O123", ct, value);
        Expect.Reply("ms", stored.Code, "HD", stored.Line);
        Expect.Reply("ms reply flags", stored.Letters, "ckO", stored.Line);
        Expect.Reply("ms k flag", stored.Flag('k')!, key, stored.Line);
        Expect.Reply("ms O flag", stored.Flag('O')!, "123", stored.Line);
        var cas = stored.UnsignedFlag('c', "ms c flag");

        var got = await c.MetaAsync($"mg {key} v f t c k s O9", ct);
        Expect.Value("mg", got, value);
        Expect.Reply("mg reply flags", got.Letters, "ftcksO", got.Line);
        Expect.Equal("mg f", 42L, got.LongFlag('f', "mg f"));
        Expect.Ttl("mg t", got.LongFlag('t', "mg t"), NodeCheckContext.SafetyTtl);
        Expect.Equal("mg c (the CAS ms returned)", cas, got.UnsignedFlag('c', "mg c"));
        Expect.Reply("mg k", got.Flag('k')!, key, got.Line);
        Expect.Equal("mg s", (long)value.Length, got.LongFlag('s', "mg s"));
        Expect.Reply("mg O", got.Flag('O')!, "9", got.Line);

        var header = await c.MetaAsync($"mg {key} s f", ct);
        Expect.Reply("mg without v", header.Code, "HD", header.Line);
        Expect.Equal("mg without v: s", (long)value.Length, header.LongFlag('s', "mg s"));
        return "HD c k O; VA 333 f42 t c k s O; HD without v";
    }
}

internal sealed class MetaSetModesCheck : NodeCheck
{
    public override string Group => "Meta";
    public override string Name => "SetModes";
    public override string Expected => "ms ME (add) answers NS on an existing key, MR (replace) NS on a missing one, MA/MP append and prepend, MS overwrites";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("ms:modes");
        var missing = c.Key("ms:modes:missing");
        var a = c.Values.For(key + "#a", 8);
        var b = c.Values.For(key + "#b", 9);
        var d = c.Values.For(key + "#d", 10);
        var e = c.Values.For(key + "#e", 11);
        await Store(c, "ME (add) of a new key", $"ms {key} {a.Length} T{NodeCheckContext.SafetyTtl} ME", a, "HD", ct);
        await Store(c, "ME (add) of an existing key", $"ms {key} {b.Length} ME T{NodeCheckContext.SafetyTtl}", b, "NS", ct);
        await Store(c, "MR (replace) of a missing key", $"ms {missing} {b.Length} MR T{NodeCheckContext.SafetyTtl}", b, "NS", ct);
        await Store(c, "MA (append)", $"ms {key} {b.Length} MA T{NodeCheckContext.SafetyTtl}", b, "HD", ct);
        await Store(c, "MP (prepend)", $"ms {key} {d.Length} MP T{NodeCheckContext.SafetyTtl}", d, "HD", ct);
        Expect.Value("mg after ME, MA and MP", await c.MetaAsync($"mg {key} v", ct), [.. d, .. a, .. b]);
        await Store(c, "MA (append) of a missing key", $"ms {missing} {b.Length} MA T{NodeCheckContext.SafetyTtl}", b, "NS", ct);
        await Store(c, "MR (replace) of an existing key", $"ms {key} {e.Length} MR T{NodeCheckContext.SafetyTtl}", e, "HD", ct);
        Expect.Value("mg after MR", await c.MetaAsync($"mg {key} v", ct), e);
        await Store(c, "MS (set)", $"ms {key} {a.Length} MS T{NodeCheckContext.SafetyTtl}", a, "HD", ct);
        Expect.Value("mg after MS", await c.MetaAsync($"mg {key} v", ct), a);
        Expect.Code("mg of the key no mode created", await c.MetaAsync($"mg {missing} v", ct), "EN");
        return "ME HD/NS, MR NS/HD, MA/MP joined, MS overwrote";
    }

    private static async Task Store(NodeCheckContext c, string step, string line, byte[] value, string expected, CancellationToken ct)
    {
        var reply = await c.MetaAsync(line, ct, value);
        Expect.Reply(step, reply.Code, expected, reply.Line);
    }
}

internal sealed class MetaCasCheck : NodeCheck
{
    public override string Group => "Meta";
    public override string Name => "Cas";
    public override string Expected => "ms and md with a stale C answer EX, with the current one HD; ms C on a missing key NF";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("ms:cas");
        var v1 = c.Values.For(key, 16);
        var first = await c.MetaAsync($"ms {key} {v1.Length} T{NodeCheckContext.SafetyTtl} c", ct, v1);
        Expect.Reply("ms", first.Code, "HD", first.Line);
        var stale = first.UnsignedFlag('c', "ms c");
        var v2 = c.Values.For(key + "#2", 16);
        var second = await c.MetaAsync($"ms {key} {v2.Length} C{stale} c T{NodeCheckContext.SafetyTtl}", ct, v2);
        Expect.Reply("ms with the current C", second.Code, "HD", second.Line);
        var current = second.UnsignedFlag('c', "ms c");
        Expect.True(current != stale, "ms with C", "a new CAS", current.ToString(CultureInfo.InvariantCulture) + " again");
        var refused = await c.MetaAsync($"ms {key} {v1.Length} C{stale} T{NodeCheckContext.SafetyTtl}", ct, v1);
        Expect.Reply("ms with a stale C", refused.Code, "EX", refused.Line);
        Expect.Value("mg after the refused ms", await c.MetaAsync($"mg {key} v", ct), v2);
        var missing = c.Key("ms:cas:missing");
        var absent = await c.MetaAsync($"ms {missing} {v1.Length} C{current} T{NodeCheckContext.SafetyTtl}", ct, v1);
        Expect.Reply("ms with C on a missing key", absent.Code, "NF", absent.Line);
        Expect.Code("md with a stale C", await c.MetaAsync($"md {key} C{stale}", ct), "EX");
        Expect.Code("md with the current C", await c.MetaAsync($"md {key} C{current}", ct), "HD");
        Expect.Code("mg after md", await c.MetaAsync($"mg {key} v", ct), "EN");
        return "HD with the current C, EX with a stale one, NF on a missing key (ms and md)";
    }
}

internal sealed class MetaDeleteCheck : NodeCheck
{
    public override string Group => "Meta";
    public override string Name => "Delete";
    public override string Expected => "md answers HD, the key then misses (EN), a second md NF; md with k and O echoes them";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("md");
        var value = c.Values.For(key, 10);
        Expect.Code("ms", await c.MetaAsync($"ms {key} {value.Length} T{NodeCheckContext.SafetyTtl}", ct, value), "HD");
        var deleted = await c.MetaAsync($"md {key} k O77", ct);
        Expect.Reply("md", deleted.Line, $"HD k{key} O77");
        Expect.Code("mg after md", await c.MetaAsync($"mg {key} v", ct), "EN");
        Expect.Reply("second md", (await c.MetaAsync($"md {key}", ct)).Line, "NF");
        return "HD k O, EN, NF";
    }
}

internal sealed class MetaArithmeticCheck : NodeCheck
{
    public override string Group => "Meta";
    public override string Name => "Arithmetic";
    public override string Expected => "ma on a missing key answers NF; N creates it with J; D adds; MD subtracts down to 0; a non-numeric value gives CLIENT_ERROR";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("ma");
        Expect.Reply("ma of a missing key", (await c.MetaAsync($"ma {key}", ct)).Line, "NF");
        await Number(c, "ma N J10 (create)", $"ma {key} N{NodeCheckContext.SafetyTtl} J10 v", "10", ct);
        await Number(c, "ma D5", $"ma {key} D5 v", "15", ct);
        await Number(c, "ma (default delta 1)", $"ma {key} v", "16", ct);
        await Number(c, "ma MD D6", $"ma {key} MD D6 v", "10", ct);
        await Number(c, "ma MD D100 (below zero)", $"ma {key} MD D100 v", "0", ct);
        var text = c.Key("ma:text");
        Expect.Code("ms", await c.MetaAsync($"ms {text} 2 T{NodeCheckContext.SafetyTtl}", ct, "hi"u8.ToArray()), "HD");
        Expect.Reply("ma of a non-numeric value", (await c.MetaAsync($"ma {text} v", ct)).Line, "CLIENT_ERROR cannot increment or decrement non-numeric value");
        return "NF, 10, 15, 16, 10, 0, CLIENT_ERROR on text";
    }

    private static async Task Number(NodeCheckContext c, string step, string line, string expected, CancellationToken ct)
    {
        var reply = await c.MetaAsync(line, ct);
        Expect.Value(step, reply, System.Text.Encoding.ASCII.GetBytes(expected));
    }
}

internal sealed class MetaNoopCheck : NodeCheck
{
    public override string Group => "Meta";
    public override string Name => "Noop";
    public override string Expected => "mn answers MN, once per mn even when several arrive in one write";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        await c.SendAsync("mn\r\nmn\r\nmn\r\n"u8.ToArray(), ct);
        for (var i = 1; i <= 3; i++)
            Expect.Reply($"mn {i} of 3", await c.ReadLineAsync(ct), "MN");
        await c.ExpectSilenceAsync("after three MN", ct);
        return "MN x3";
    }
}

internal sealed class MetaVivifyCheck : NodeCheck
{
    public override string Group => "Meta";
    public override string Name => "Vivify";
    public override string Expected => "mg N on a miss creates an empty item and answers W (this client recaches), then Z to the next; a stored value ends it";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("vivify");
        var first = await c.MetaAsync($"mg {key} N{NodeCheckContext.SafetyTtl} v c", ct);
        Expect.Value("mg N on a miss", first, []);
        Expect.True(first.Flags.Contains("W") && !first.Flags.Contains("Z"), "mg N on a miss", "the W flag", Expect.Show(first.Line));
        var second = await c.MetaAsync($"mg {key} N{NodeCheckContext.SafetyTtl} v c", ct);
        Expect.Value("second mg N", second, []);
        Expect.True(second.Flags.Contains("Z") && !second.Flags.Contains("W"), "second mg N", "the Z flag (a win was already given)", Expect.Show(second.Line));
        Expect.Equal("second mg N: c", first.UnsignedFlag('c', "mg c"), second.UnsignedFlag('c', "mg c"));
        var value = c.Values.For(key, 12);
        Expect.Code("ms of the recached value", await c.MetaAsync($"ms {key} {value.Length} T{NodeCheckContext.SafetyTtl}", ct, value), "HD");
        var after = await c.MetaAsync($"mg {key} v", ct);
        Expect.Value("mg after the recache", after, value);
        Expect.True(!after.Flags.Contains("W") && !after.Flags.Contains("Z"), "mg after the recache", "no W or Z", Expect.Show(after.Line));
        return "VA 0 W, then VA 0 Z, then the stored value";
    }
}

internal sealed class MetaNoBumpCheck : NodeCheck
{
    public override string Group => "Meta";
    public override string Name => "NoLruBump";
    public override string Expected => "mg with u reads without marking the item fetched (h0 after it); a plain mg marks it (h1)";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("nobump");
        var value = c.Values.For(key, 10);
        Expect.Code("ms", await c.MetaAsync($"ms {key} {value.Length} T{NodeCheckContext.SafetyTtl}", ct, value), "HD");
        Expect.Value("mg v u", await c.MetaAsync($"mg {key} v u", ct), value);
        Expect.Reply("mg h u after a read with u", (await c.MetaAsync($"mg {key} h u", ct)).Line, "HD h0");
        Expect.Value("mg v", await c.MetaAsync($"mg {key} v", ct), value);
        Expect.Reply("mg h u after a plain read", (await c.MetaAsync($"mg {key} h u", ct)).Line, "HD h1");
        return "h0 after mg u, h1 after mg";
    }
}

internal sealed class MetaTouchCheck : NodeCheck
{
    public override string Group => "Meta";
    public override string Name => "Touch";
    public override string Expected => "ms T sets the TTL and mg t reports it; mg T changes it and reports the new one";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("mtouch");
        var value = c.Values.For(key, 10);
        Expect.Code("ms T100", await c.MetaAsync($"ms {key} {value.Length} T100", ct, value), "HD");
        Expect.Ttl("mg t after ms T100", await c.TtlAsync(key, "mg t", ct), 100);
        var touched = await c.MetaAsync($"mg {key} T300 t v", ct);
        Expect.Value("mg T300 t v", touched, value);
        Expect.Ttl("mg T300 t", touched.LongFlag('t', "mg T300 t"), 300);
        Expect.Ttl("mg t after mg T300", await c.TtlAsync(key, "mg t", ct), 300);
        return "t100, then T300 reported as t300";
    }
}
