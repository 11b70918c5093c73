namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// Checks that change items other than the run's own: run only with -Destructive (memcapable flushes the
// server unasked; this tool never does).

internal sealed class FlushAllCheck : NodeCheck
{
    public override string Group => "Destructive";
    public override string Name => "FlushAll";
    public override string Expected => "flush_all answers OK and every item is gone; flush_all noreply is silent; a set afterwards is kept";
    public override CheckNeeds Needs => CheckNeeds.Destructive;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        if (!c.Profile.FlushEnabled)
            throw new CheckSkippedException("flush_all is disabled on this server (-F)");
        var key = c.Key("flush");
        var value = c.Values.For(key, 10);
        Expect.Reply("set", await c.StoreAsync("set", key, value, ct), "STORED");
        Expect.Reply("flush_all", await c.CommandAsync("flush_all", ct), "OK");
        Expect.Miss("get after flush_all", await c.GetAsync(key, "get after flush_all", ct));
        Expect.Reply("set after flush_all", await c.StoreAsync("set", key, value, ct), "STORED");
        Expect.Item("get of an item set after flush_all", await c.GetAsync(key, "get after the new set", ct), value);
        await c.SendLineAsync("flush_all noreply", ct);
        await c.ExpectSilenceAsync("flush_all noreply", ct);
        Expect.Miss("get after flush_all noreply", await c.GetAsync(key, "get after flush_all noreply", ct));
        return "OK, items gone, later set kept; noreply silent";
    }
}
