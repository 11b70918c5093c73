using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.MemcacheOps;

/// <summary>
/// The placement alone: the owner of every key of the reference set (key:0 .. key:N-1) on a pool of three
/// servers, looked up as import and move do, --opt rounds times (default 10). No server is involved; it
/// isolates the per-key cost that an import's wall time hides behind the network and the servers.
/// lookup-ch3 and lookup-crc32 declare their ratio to lookup-ketama.
/// </summary>
internal sealed class PlacementLookupScenario(string name, RingForm form, string? comparesWith) : IScenario
{
    public static readonly PlacementLookupScenario Ketama = new("lookup-ketama", RingForm.Spymemcached, null);

    public static readonly PlacementLookupScenario Ch3 = new("lookup-ch3", RingForm.Ch3, "lookup-ketama");

    public static readonly PlacementLookupScenario Crc32 = new("lookup-crc32", RingForm.Crc32, "lookup-ketama");

    public string Name => name;

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"owner lookups alone on a {form} pool of 3 (every reference key, --opt rounds=10 times); items = lookups");

    public IReadOnlyList<string> ComparesWith => comparesWith is null ? [] : [comparesWith];

    public Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var rounds = context.Option("rounds", 10);
        var lookup = new RingOptions { Form = form }.Create(
            [new ServerEndpoint("10.0.0.1", 11211), new ServerEndpoint("10.0.0.2", 11211), new ServerEndpoint("10.0.0.3", 11211)]);
        var keys = new byte[context.Count][];
        for (var i = 0; i < keys.Length; i++)
            keys[i] = ReferenceDataSet.Key(context.Start + i);
        var counts = new long[3];
        var meter = ResourceMeter.StartInProcess();
        for (var round = 0; round < rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var key in keys)
                counts[lookup.GetOwnerIndex(key)]++;
        }
        var lookups = (long)rounds * keys.Length;
        return Task.FromResult(meter.Finish(lookups, 0, string.Create(CultureInfo.InvariantCulture,
            $"{lookup.Description}; {rounds} x {keys.Length:N0} keys; shares {counts[0] * 100.0 / lookups:F1}% / {counts[1] * 100.0 / lookups:F1}% / {counts[2] * 100.0 / lookups:F1}%")));
    }
}
