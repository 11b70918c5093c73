using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Bench.Scenarios.MemcacheOps;

/// <summary>
/// Import of a dump of the source into an empty memcached. The dump is made first, untimed; the
/// clock covers checksum verification, reading the files and pipelined ms over --connections.
/// </summary>
internal sealed class ImportScenario : IScenario
{
    public string Name => "import";

    public string Description => "Import-MemcacheData / 'memcacheops import' of a dump into an empty memcached (CRC-32C check + ms ... q); items = stored, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-ms"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var dump = Path.Combine(context.ScratchDirectory, "dump");
        await ExportService.RunAsync(new ExportOptions { Servers = [context.Source], Path = dump, Connections = 2 }, new CollectingSink(), cancellationToken);
        var target = context.StartServer();
        var options = new ImportOptions
        {
            Paths = [dump],
            Servers = [target.ServerEndpoint],
            Mode = StoreMode.Set,
            Connections = context.Connections,
            Window = context.Window,
            BatchSize = context.BatchSize,
            SkipChecksum = context.Option("skip-checksum", "false") == "true",
        };
        var meter = ResourceMeter.StartInProcess();
        var result = await ImportService.RunAsync(options, new CollectingSink(), cancellationToken);
        var scenario = meter.Finish(result.Stored, result.Bytes, string.Create(CultureInfo.InvariantCulture,
            $"{context.Connections} connection(s), window {context.Window}, batch {context.BatchSize}, checksums {(options.SkipChecksum ? "skipped" : "verified")}"));
        if (result.Stored != context.Count)
            scenario.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"stored {result.Stored} of {context.Count}"));
        return scenario;
    }
}
