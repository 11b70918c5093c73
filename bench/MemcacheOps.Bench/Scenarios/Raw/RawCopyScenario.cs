using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// The least work any node-to-node move must do, done by the raw programs at the same time: raw-mg
/// fetching the known keys from the source while raw-ms streams the whole set (pre-generated wire
/// bytes) into an empty memcached. No listing, and the store does not wait for the fetch. A move is
/// measured against the slower of raw-mg and raw-ms run alone; this shows where doing both halves at
/// once puts any move on the same machine.
/// </summary>
internal sealed class RawCopyScenario : IScenario
{
    public string Name => "raw-copy";

    public string Description => "raw-mg from the source and raw-ms into an empty memcached at the same time (no listing); items = stored, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-mg", "raw-ms"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var prepared = RawStoreStream.Generate(context);
        var target = context.StartServer();
        using var storeConnection = await RawConnection.ConnectAsync(target.ServerEndpoint, cancellationToken);

        var targetCpuBefore = ServerStats.Cpu(target.IPEndPoint);
        var meter = ResourceMeter.StartInProcess();
        var store = Task.Run(() => RawStoreStream.SendAsync(storeConnection, prepared, cancellationToken), cancellationToken);
        var fetched = await RawFetchPipeline.RunAsync(context.Source, FetchCommand.MetaGet, context.Start, context.Count,
            context.Connections, context.BatchSize, context.Window, cancellationToken);
        await store;
        var result = meter.Finish(context.Count, prepared.ValueBytes, RawNotes.Describe(context, fetched.Items));

        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"fetched {fetched.Items} values ({fetched.Bytes / (1024.0 * 1024):F1} MiB); {prepared.HeldMiB} MiB of wire bytes held in memory; target server cpu {ServerStats.Cpu(target.IPEndPoint) - targetCpuBefore:F2} s"));
        var stored = (long)target.Stat("curr_items");
        if (stored != context.Count)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"target holds {stored} items, expected {context.Count}"));
        return result;
    }
}
