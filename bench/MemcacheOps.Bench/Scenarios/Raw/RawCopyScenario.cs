using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// The least work any node-to-node move must do, done by the raw programs at the same time: the
/// metadump listing of the source (raw-metadump), raw-mg fetching the known keys from it, and raw-ms
/// streaming the whole set (pre-generated wire bytes) into an empty memcached. Nothing waits for
/// anything else: the fetch does not need the listing, the store does not need the fetch. A move is
/// measured against the slower of raw-mg and raw-ms run alone; this shows where doing the three at
/// once puts any move on the same machine. A move also lists once more at the end for its residual;
/// <c>--opt residual=1</c> adds that listing, after the other three finish.
/// </summary>
internal sealed class RawCopyScenario : IScenario
{
    public string Name => "raw-copy";

    public string Description => "raw-metadump and raw-mg of the source and raw-ms into an empty memcached, all at the same time; items = stored, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-mg", "raw-ms"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var withResidual = context.Option("residual", 0) != 0;
        var prepared = RawStoreStream.Generate(context);
        var target = context.StartServer();
        using var storeConnection = await RawConnection.ConnectAsync(target.ServerEndpoint, cancellationToken);
        using var listingConnection = await RawConnection.ConnectAsync(context.Source, cancellationToken);

        var targetCpuBefore = ServerStats.Cpu(target.IPEndPoint);
        var meter = ResourceMeter.StartInProcess();
        var listing = Task.Run(() => RawMetadump.CountAsync(listingConnection, context.Source, cancellationToken), cancellationToken);
        var store = Task.Run(() => RawStoreStream.SendAsync(storeConnection, prepared, cancellationToken), cancellationToken);
        var fetched = await RawFetchPipeline.RunAsync(context.Source, FetchCommand.MetaGet, context.Start, context.Count,
            context.Connections, context.BatchSize, context.Window, cancellationToken);
        await store;
        var listed = await listing;
        var residual = withResidual ? await RawMetadump.CountAsync(listingConnection, context.Source, cancellationToken) : default;
        var result = meter.Finish(context.Count, prepared.ValueBytes, RawNotes.Describe(context, fetched.Items));

        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"listed {listed.Lines} keys, fetched {fetched.Items} values ({fetched.Bytes / (1024.0 * 1024):F1} MiB); {prepared.HeldMiB} MiB of wire bytes held in memory; target server cpu {ServerStats.Cpu(target.IPEndPoint) - targetCpuBefore:F2} s"));
        var stored = (long)target.Stat("curr_items");
        if (stored != context.Count)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"target holds {stored} items, expected {context.Count}"));
        result.Notes.AddRange(RawMetadump.Notes(listed, context.Count));
        if (withResidual)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"then listed {residual.Lines} keys again (the residual listing)"));
        return result;
    }
}
