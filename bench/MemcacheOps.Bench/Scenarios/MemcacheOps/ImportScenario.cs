using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Bench.Scenarios.MemcacheOps;

/// <summary>
/// Import of a dump of the source into an empty memcached. The dump is made first, untimed; the
/// clock covers checksum verification, reading the files and pipelined ms over --connections.
/// As import-tls, the target is a memcached with TLS, written over TLS (-Tls, the harness's CA trusted).
/// </summary>
internal sealed class ImportScenario(bool tls = false) : IScenario
{
    public string Name => tls ? "import-tls" : "import";

    public string Description => tls
        ? "Import-MemcacheData of a dump into an empty memcached over TLS (CRC-32C check + ms ... q over SslStream); items = stored, bytes = value bytes"
        : "Import-MemcacheData / 'memcacheops import' of a dump into an empty memcached (CRC-32C check + ms ... q); items = stored, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => tls ? ["import"] : ["raw-ms"];

    public bool UsesTls => tls;

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var dump = Path.Combine(context.ScratchDirectory, "dump");
        await ExportService.RunAsync(new ExportOptions { Servers = [context.Source], Path = dump, Connections = 2 }, new CollectingSink(), cancellationToken);
        var target = tls ? context.StartTlsServer() : context.StartServer();
        var options = new ImportOptions
        {
            Paths = [dump],
            // Over TLS the target is named without tls://; the Tls option makes it TLS, as --tls does.
            Servers = [tls ? new ServerEndpoint("127.0.0.1", target.TlsPort!.Value) : target.ServerEndpoint],
            Connection = tls ? ConnectionOptions.Default with { Tls = true, TlsCaFile = context.Certificates!.CaFile } : ConnectionOptions.Default,
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
