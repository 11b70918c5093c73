using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Bench.Scenarios.MemcacheOps;

/// <summary>
/// Import of a dump of the source onto three empty memcached servers, each key to its owner as one placement
/// form says: the same work as <see cref="ImportScenario"/> plus routing every record. The dump is made first,
/// untimed. import-ch3 (mcrouter's ch3: MurmurHash64A and furc_hash per key) declares its ratio to
/// import-ketama (spymemcached ketama: MD5 and a binary search per key), so a run of both shows what the
/// placement form costs an import.
/// </summary>
internal sealed class ImportRingScenario(string name, RingForm form, string? comparesWith) : IScenario
{
    private const int RingServers = 3;

    public static readonly ImportRingScenario Ketama = new("import-ketama", RingForm.Spymemcached, null);

    public static readonly ImportRingScenario Ch3 = new("import-ch3", RingForm.Ch3, "import-ketama");

    public string Name => name;

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"Import-MemcacheData of a dump onto a {form} ring of {RingServers} empty memcached servers (CRC-32C check + ms ... q, each key to its owner); items = stored, bytes = value bytes");

    public IReadOnlyList<string> ComparesWith => comparesWith is null ? [] : [comparesWith];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var dump = Path.Combine(context.ScratchDirectory, "dump");
        await ExportService.RunAsync(new ExportOptions { Servers = [context.Source], Path = dump, Connections = 2 }, new CollectingSink(), cancellationToken);
        // Each target gets a third of the set; memory sized like one full target keeps them from evicting.
        var targets = Enumerable.Range(0, RingServers).Select(_ => context.StartServer()).ToList();
        var options = new ImportOptions
        {
            Paths = [dump],
            Servers = targets.Select(t => t.ServerEndpoint).ToList(),
            Mode = StoreMode.Set,
            Ring = new RingOptions { Form = form },
            Connections = context.Connections,
            Window = context.Window,
            BatchSize = context.BatchSize,
        };
        var meter = ResourceMeter.StartInProcess();
        var result = await ImportService.RunAsync(options, new CollectingSink(), cancellationToken);
        var scenario = meter.Finish(result.Stored, result.Bytes, string.Create(CultureInfo.InvariantCulture,
            $"{form} ring of {RingServers}, {context.Connections} connection(s) per server, window {context.Window}, batch {context.BatchSize}"));
        if (result.Stored != context.Count)
            scenario.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"stored {result.Stored} of {context.Count}"));
        return scenario;
    }
}
