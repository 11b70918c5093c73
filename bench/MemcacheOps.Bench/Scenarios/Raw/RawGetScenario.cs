using MemcacheOps.Bench.Harness;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>Raw protocol limit for fetching known keys with the classic text protocol.</summary>
internal sealed class RawGetScenario : IScenario
{
    public string Name => "raw-get";

    public string Description => "pipelined multi-key 'get' of key:0..N-1 over plain sockets (--batch keys per get, --window in flight, --connections); items = values, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => [];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var meter = ResourceMeter.StartInProcess();
        var totals = await RawFetchPipeline.RunAsync(context.Source, FetchCommand.TextMultiGet, context.Start, context.Count,
            context.Connections, context.BatchSize, context.Window, cancellationToken);
        return meter.Finish(totals.Items, totals.Bytes, RawNotes.Describe(context, totals.Items));
    }
}
