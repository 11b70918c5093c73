namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// Every command on a key that does not exist, with the reply memcached gives for a miss.

internal sealed class TextMissesCheck : NodeCheck
{
    public override string Group => "Missing";
    public override string Name => "Text";
    public override string Expected => "on a missing key: get/gets/gat END; touch, delete, incr, decr, cas NOT_FOUND; replace, append, prepend NOT_STORED; nothing is created";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("missing:text");
        foreach (var verb in new[] { "get", "gets" })
            Expect.Reply(verb, await c.CommandAsync($"{verb} {key}", ct), "END");
        Expect.Reply("gat", await c.CommandAsync($"gat 100 {key}", ct), "END");
        Expect.Reply("touch", await c.CommandAsync($"touch {key} 100", ct), "NOT_FOUND");
        Expect.Reply("delete", await c.CommandAsync($"delete {key}", ct), "NOT_FOUND");
        Expect.Reply("incr", await c.CommandAsync($"incr {key} 1", ct), "NOT_FOUND");
        Expect.Reply("decr", await c.CommandAsync($"decr {key} 1", ct), "NOT_FOUND");
        var data = c.Values.For(key, 5);
        Expect.Reply("cas", await c.StoreAsync("cas", key, data, ct, cas: 1), "NOT_FOUND");
        foreach (var verb in new[] { "replace", "append", "prepend" })
            Expect.Reply(verb, await c.StoreAsync(verb, key, data, ct), "NOT_STORED");
        Expect.Miss("get after all of them", await c.GetAsync(key, "get after all of them", ct));
        return "END x3, NOT_FOUND x5, NOT_STORED x3; still missing";
    }
}

internal sealed class MetaMissesCheck : NodeCheck
{
    public override string Group => "Missing";
    public override string Name => "Meta";
    public override string Expected => "on a missing key: mg EN (echoing k and O), md NF, ma NF, ms MR/MA/MP NS, ms C NF; nothing is created";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("missing:meta");
        Expect.Reply("mg", (await c.MetaAsync($"mg {key} v", ct)).Line, "EN");
        Expect.Reply("mg with k and O", (await c.MetaAsync($"mg {key} v k O42", ct)).Line, $"EN k{key} O42");
        Expect.Reply("mg h l t s", (await c.MetaAsync($"mg {key} h l t s", ct)).Line, "EN");
        Expect.Reply("md", (await c.MetaAsync($"md {key}", ct)).Line, "NF");
        Expect.Reply("ma", (await c.MetaAsync($"ma {key}", ct)).Line, "NF");
        var data = c.Values.For(key, 5);
        foreach (var mode in new[] { "MR", "MA", "MP" })
            Expect.Reply($"ms {mode}", (await c.MetaAsync($"ms {key} {data.Length} {mode} T{NodeCheckContext.SafetyTtl}", ct, data)).Line, "NS");
        Expect.Reply("ms C", (await c.MetaAsync($"ms {key} {data.Length} C1 T{NodeCheckContext.SafetyTtl}", ct, data)).Line, "NF");
        Expect.Reply("mg after all of them", (await c.MetaAsync($"mg {key} v", ct)).Line, "EN");
        return "EN, EN k O, NF x2, NS x3, NF; still missing";
    }
}
