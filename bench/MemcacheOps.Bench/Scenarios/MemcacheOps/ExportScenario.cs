using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;

namespace MemcacheOps.Bench.Scenarios.MemcacheOps;

/// <summary>
/// A full export of the source to the scratch folder: listing, pipelined mg over --connections
/// connections, V0 data files with CRC-32C (the default checksum), fsync and the manifest. Options: memory-limit (MiB).
/// As export-tls, the same over the source's TLS listener (tls://, the harness's CA trusted).
/// </summary>
internal sealed class ExportScenario(bool tls = false) : IScenario
{
    public string Name => tls ? "export-tls" : "export";

    public string Description => tls
        ? "Export-MemcacheData over TLS (tls:// source) to local files (listing + mg + V0 files + CRC-32C + fsync); items = records, bytes = value bytes"
        : "Export-MemcacheData / 'memcacheops export' to local files (listing + mg + V0 files + CRC-32C + fsync); items = records, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => tls
        ? ["raw-tls-mg", "export"]
        : ["raw-mg", "raw-mg-listed", "raw-get", "raw-list-mg", "raw-dump"];

    public bool UsesTls => tls;

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var memoryLimitMb = context.Option("memory-limit", 64);
        var options = new ExportOptions
        {
            Servers = [tls ? context.RequireTlsSource() : context.Source],
            Connection = tls ? ConnectionOptions.Default with { TlsCaFile = context.Certificates!.CaFile } : ConnectionOptions.Default,
            Path = Path.Combine(context.ScratchDirectory, "dump"),
            Connections = context.Connections,
            Window = context.Window,
            BatchSize = context.BatchSize,
            MemoryLimit = memoryLimitMb * 1024L * 1024,
            KeyFileSize = Math.Min(4L * 1024 * 1024, memoryLimitMb * 1024L * 1024 / 8),
        };
        var meter = ResourceMeter.StartInProcess();
        var result = await ExportService.RunAsync(options, new CollectingSink(), cancellationToken);
        var scenario = meter.Finish(result.Dumped, result.Bytes, string.Create(CultureInfo.InvariantCulture,
            $"{context.Connections} connection(s), window {context.Window}, batch {context.BatchSize}, memory limit {memoryLimitMb} MiB, {result.Files} files"));
        if (result.Dumped != context.Count)
            scenario.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"dumped {result.Dumped} of {context.Count} (missing {result.Missing})"));
        return scenario;
    }
}
