namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// noreply (text) and q (meta): success is silence, proven by the reply to a barrier command sent after
// them (memcapable's technique); memcached's t/noreply.t checks the effects the same way.

internal sealed class TextNoreplyCheck : NodeCheck
{
    public override string Group => "Quiet";
    public override string Name => "TextNoreply";
    public override string Expected => "set, add, replace, append, prepend, cas, incr, decr, touch and delete with noreply send nothing (not even NOT_STORED) and take effect";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("noreply");
        var a = "10"u8.ToArray();
        await c.StoreQuietlyAsync("set", key, a, ct);
        await c.ExpectSilenceAsync("set noreply", ct);
        Expect.Item("get after set noreply", await c.GetAsync(key, "get after set noreply", ct), a);

        await c.StoreQuietlyAsync("add", key, "99"u8.ToArray(), ct);
        await c.ExpectSilenceAsync("add noreply of an existing key (NOT_STORED hidden)", ct);
        Expect.Item("get after the refused add noreply", await c.GetAsync(key, "get after add noreply", ct), a);

        await c.StoreQuietlyAsync("replace", key, "20"u8.ToArray(), ct);
        await c.StoreQuietlyAsync("append", key, "0"u8.ToArray(), ct);
        await c.StoreQuietlyAsync("prepend", key, "1"u8.ToArray(), ct);
        await c.ExpectSilenceAsync("replace, append and prepend noreply", ct);
        Expect.Item("get after replace, append and prepend noreply", await c.GetAsync(key, "get", ct), "1200"u8);

        var cas = (await c.GetAsync(key, "gets", ct, verb: "gets"))?.Cas
            ?? throw new CheckFailedException("gets: expected VALUE with a CAS");
        await c.StoreQuietlyAsync("cas", key, "500"u8.ToArray(), ct, cas: cas);
        await c.ExpectSilenceAsync("cas noreply", ct);
        await c.SendLineAsync($"incr {key} 25 noreply", ct);
        await c.SendLineAsync($"decr {key} 5 noreply", ct);
        await c.ExpectSilenceAsync("incr and decr noreply", ct);
        Expect.Item("get after cas, incr and decr noreply", await c.GetAsync(key, "get", ct), "520"u8);

        await c.SendLineAsync($"touch {key} 300 noreply", ct);
        await c.ExpectSilenceAsync("touch noreply", ct);
        if (c.Profile.MetaCommands)
            Expect.Ttl("TTL after touch noreply", await c.TtlAsync(key, "mg t", ct), 300);
        await c.SendLineAsync($"delete {key} noreply", ct);
        await c.ExpectSilenceAsync("delete noreply", ct);
        Expect.Miss("get after delete noreply", await c.GetAsync(key, "get after delete noreply", ct));
        return "no reply to any of 10 commands; each took effect";
    }
}

internal sealed class MetaQuietCheck : NodeCheck
{
    public override string Group => "Quiet";
    public override string Name => "MetaQuiet";
    public override string Expected => "with q, ms and md hide HD and mg hides EN, but NS, NF, hits and errors still come back, in order, before MN";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("quiet");
        var missing = c.Key("quiet:missing");
        var value = c.Values.For(key, 24);
        using var request = new Protocol.PooledBufferWriter(4096);
        Wire.AppendWithData(request, $"ms {key} {value.Length} T{NodeCheckContext.SafetyTtl} q", value);   // HD hidden
        Wire.AppendWithData(request, $"ms {key} {value.Length} ME q T{NodeCheckContext.SafetyTtl}", value);                               // NS shown
        Wire.AppendLine(request, $"mg {missing} v q");                                                       // EN hidden
        Wire.AppendLine(request, $"mg {key} v q k");                                                         // VA shown
        Wire.AppendLine(request, $"md {missing} q");                                                         // NF shown
        Wire.AppendLine(request, $"ma {missing} q");                                                         // NF shown
        Wire.AppendLine(request, $"md {key} q");                                                             // HD hidden
        Wire.AppendLine(request, $"mg {key} v q");                                                           // EN hidden
        Wire.AppendLine(request, "mn");
        await c.SendAsync(request.WrittenMemory, ct);
        Expect.Reply("ms ME q of an existing key", (await c.ReadMetaAsync(ct)).Line, "NS");
        var hit = await c.ReadMetaAsync(ct);
        Expect.Value("mg q of a hit", hit, value);
        Expect.Reply("mg q k of a hit", hit.Flag('k') ?? string.Empty, key, hit.Line);
        Expect.Reply("md q of a missing key", await c.ReadLineAsync(ct), "NF");
        Expect.Reply("ma q of a missing key", await c.ReadLineAsync(ct), "NF");
        Expect.Reply("after the last quiet command (ms q, mg q miss and md q hidden)", await c.ReadLineAsync(ct), "MN");
        return "NS, VA, NF, NF, MN: HD and EN hidden";
    }
}
