using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// TTLs as the protocol defines them: relative up to 30 days, absolute Unix times beyond, 0 never expires,
// negative or past already expired; the remaining TTL is read with mg t.

internal sealed class TtlReportedCheck : NodeCheck
{
    public override string Group => "Expiry";
    public override string Name => "Reported";
    public override string Expected => "a TTL set by ms T600 or set 600 is reported by mg t as 600 (or a second or two less); exptime 0 as t-1 (never expires)";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var metaKey = c.Key("ttl:ms");
        var value = c.Values.For(metaKey, 10);
        Expect.Code("ms T600", await c.MetaAsync($"ms {metaKey} {value.Length} T600", ct, value), "HD");
        Expect.Ttl("mg t after ms T600", await c.TtlAsync(metaKey, "mg t", ct), 600);
        var textKey = c.Key("ttl:set");
        Expect.Reply("set with exptime 600", await c.StoreAsync("set", textKey, value, ct, exptime: 600), "STORED");
        Expect.Ttl("mg t after set 600", await c.TtlAsync(textKey, "mg t", ct), 600);
        var never = c.Key("ttl:never");
        Expect.Reply("set with exptime 0", await c.StoreAsync("set", never, value, ct, exptime: 0), "STORED");
        Expect.Ttl("mg t after set 0", await c.TtlAsync(never, "mg t", ct), -1);
        // The run's items always expire eventually, in case the cleanup cannot run.
        Expect.Reply("touch back to the run's TTL", await c.CommandAsync($"touch {never} {NodeCheckContext.SafetyTtl}", ct), "TOUCHED");
        return "t600 (ms and set), t-1 for exptime 0";
    }
}

internal sealed class AbsoluteExpiryCheck : NodeCheck
{
    public override string Group => "Expiry";
    public override string Name => "Absolute";
    public override string Expected => "an exptime above 30 days is a Unix time: the server's clock + 600 is reported by mg t as about 600";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var now = await ServerClockCheck.ServerTimeAsync(c, ct);
        var key = c.Key("ttl:absolute");
        var value = c.Values.For(key, 10);
        Expect.Reply("set with an absolute exptime", await c.StoreAsync("set", key, value, ct, exptime: now + 600), "STORED");
        Expect.Ttl("mg t after an absolute exptime of now + 600", await c.TtlAsync(key, "mg t", ct), 600, tolerance: 3);
        var metaKey = c.Key("ttl:absolute:ms");
        Expect.Code("ms with an absolute T", await c.MetaAsync(string.Create(CultureInfo.InvariantCulture, $"ms {metaKey} {value.Length} T{now + 600}"), ct, value), "HD");
        Expect.Ttl("mg t after ms T(now + 600)", await c.TtlAsync(metaKey, "mg t", ct), 600, tolerance: 3);
        return "t600 for server time + 600 (set and ms)";
    }
}

internal sealed class PastExpiryCheck : NodeCheck
{
    public override string Group => "Expiry";
    public override string Name => "Past";
    public override string Expected => "a negative exptime or an absolute one in the past answers STORED (HD) but the item is already expired";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("ttl:negative");
        var value = c.Values.For(key, 10);
        Expect.Reply("set with exptime -1", await c.StoreAsync("set", key, value, ct, exptime: -1), "STORED");
        Expect.Miss("get after exptime -1", await c.GetAsync(key, "get after exptime -1", ct));
        var past = c.Key("ttl:past");
        // 30 days and one second is read as a Unix time: January 1970.
        Expect.Reply("set with exptime 2592001", await c.StoreAsync("set", past, value, ct, exptime: 2_592_001), "STORED");
        Expect.Miss("get after an absolute exptime in 1970", await c.GetAsync(past, "get after an absolute exptime in the past", ct));
        if (!c.Profile.MetaCommands)
            return "stored and already expired (set)";
        var meta = c.Key("ttl:negative:ms");
        Expect.Code("ms T-1", await c.MetaAsync($"ms {meta} {value.Length} T-1", ct, value), "HD");
        Expect.Reply("mg after ms T-1", (await c.MetaAsync($"mg {meta} v", ct)).Line, "EN");
        return "stored and already expired (set -1, set 2592001, ms T-1)";
    }
}

internal sealed class ServerClockCheck : NodeCheck
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(3);

    public override string Group => "Expiry";
    public override string Name => "ServerClock";
    public override string Expected => "the server's clock (stats time) is within 3 s of this host's, so absolute expiry times mean the same on both";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var before = DateTimeOffset.UtcNow;
        var stats = await ReadAsync(c, ct);
        var after = DateTimeOffset.UtcNow;
        var skew = ServerStats.FromPairs(c.Server, stats, before + (after - before) / 2).ClockSkew;
        var shown = string.Create(CultureInfo.InvariantCulture, $"{skew.TotalSeconds:+0.0;-0.0;0} s");
        Expect.True(skew.Duration() <= Tolerance, "stats time", "a clock within 3 s of this host's", shown);
        return "clock " + shown + " from this host's (1 s resolution)";
    }

    /// <summary>The server's clock in Unix seconds; a skip when stats are refused.</summary>
    public static async Task<long> ServerTimeAsync(NodeCheckContext c, CancellationToken ct)
    {
        var time = (await ReadAsync(c, ct)).FirstOrDefault(p => p.Key == "time").Value;
        if (!long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out var now))
            throw new CheckFailedException($"stats: expected STAT time <unix seconds>, got {(time is null ? "no time" : Expect.Show(time))}");
        return now;
    }

    private static async Task<List<KeyValuePair<string, string>>> ReadAsync(NodeCheckContext c, CancellationToken ct)
    {
        try
        {
            var pairs = await StatsReader.ReadAsync(c.Session.Connection, StatsGroup.General, ct);
            if (!pairs.Any(p => p.Key == "time"))
                throw new CheckSkippedException("stats does not report the server's time");
            return pairs;
        }
        catch (MemcacheException ex) when (ex.ErrorId == "MemcacheStatsFailed")
        {
            throw new CheckSkippedException("the server refuses stats: " + ex.Message);
        }
    }
}

internal sealed class RealExpiryCheck : NodeCheck
{
    private const int Ttl = 2;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public override string Group => "Expiry";
    public override string Name => "RealExpiry";
    public override string Expected => "items stored with a 2 s TTL (set and ms) are gone within 4 s (the TTL, the server clock's 1 s tick and a second of margin); one touched to a longer TTL meanwhile stays";
    public override CheckNeeds Needs => CheckNeeds.Slow;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var text = c.Key("expire:set");
        var meta = c.Key("expire:ms");
        var kept = c.Key("expire:touched");
        var value = c.Values.For(text, 10);
        var clock = Stopwatch.StartNew();
        Expect.Reply("set with exptime 2", await c.StoreAsync("set", text, value, ct, exptime: Ttl), "STORED");
        Expect.Reply("set with exptime 2", await c.StoreAsync("set", kept, value, ct, exptime: Ttl), "STORED");
        Expect.Reply("touch to the run's TTL", await c.CommandAsync($"touch {kept} {NodeCheckContext.SafetyTtl}", ct), "TOUCHED");
        if (c.Profile.MetaCommands)
            Expect.Code("ms T2", await c.MetaAsync($"ms {meta} {value.Length} T{Ttl}", ct, value), "HD");
        Expect.Item("get right after set", await c.GetAsync(text, "get right after set", ct), value);
        while (true)
        {
            var textGone = await c.GetAsync(text, "get while waiting", ct) is null;
            var metaGone = !c.Profile.MetaCommands || (await c.MetaAsync($"mg {meta} v", ct)).Code == "EN";
            if (textGone && metaGone)
                break;
            if (clock.Elapsed > Limit)
                throw new CheckFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"items with a {Ttl} s TTL still there after {clock.Elapsed.TotalSeconds:0.0} s ({(textGone ? "ms" : "set")} item)"));
            await Task.Delay(Poll, ct);
        }
        var gone = clock.Elapsed;
        Expect.Item("get of the touched item", await c.GetAsync(kept, "get of the touched item", ct), value);
        return string.Create(CultureInfo.InvariantCulture, $"gone after {gone.TotalSeconds:0.0} s; the touched item stayed");
    }
}
