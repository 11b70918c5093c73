using MemcacheOps.Bench.Harness;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>Raw protocol limit for fetching known keys with meta commands (the engine's fetch path).</summary>
internal sealed class RawMgScenario : IScenario
{
    public string Name => "raw-mg";

    public string Description => "pipelined 'mg <key> v f t q' in batches closed by 'mn' over plain sockets (--batch, --window, --connections); items = values, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-get"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var meter = ResourceMeter.StartInProcess();
        var totals = await RawFetchPipeline.RunAsync(context.Source, FetchCommand.MetaGet, context.Start, context.Count,
            context.Connections, context.BatchSize, context.Window, cancellationToken);
        return meter.Finish(totals.Items, totals.Bytes, RawNotes.Describe(context, totals.Items));
    }
}
