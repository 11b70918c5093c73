using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// Part of what any dump must do, by the raw programs at the same time: the metadump listing of the
/// source (raw-metadump) and the pipelined mg fetch of the known keys (raw-mg), with no coupling
/// between them. An export does this and writes what it fetched; this shows what the listing alone
/// adds to raw-mg on the same machine.
/// </summary>
internal sealed class RawListMgScenario : IScenario
{
    public string Name => "raw-list-mg";

    public string Description => "raw-metadump and raw-mg of the source at the same time (nothing written); items = values, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-mg"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        using var listingConnection = await RawConnection.ConnectAsync(context.Source, cancellationToken);
        var meter = ResourceMeter.StartInProcess();
        var listing = Task.Run(() => RawMetadump.CountAsync(listingConnection, context.Source, cancellationToken), cancellationToken);
        var fetched = await RawFetchPipeline.RunAsync(context.Source, FetchCommand.MetaGet, context.Start, context.Count,
            context.Connections, context.BatchSize, context.Window, cancellationToken);
        var listed = await listing;
        var result = meter.Finish(fetched.Items, fetched.Bytes, RawNotes.Describe(context, fetched.Items));
        result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"listed {listed.Lines} keys"));
        result.Notes.AddRange(RawMetadump.Notes(listed, context.Count));
        return result;
    }
}
