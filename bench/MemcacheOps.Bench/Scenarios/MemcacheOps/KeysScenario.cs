using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Bench.Scenarios.MemcacheOps;

/// <summary>
/// Key listing through the engine: the same metadump stream as raw-metadump, but drained into the
/// spill queue, every line parsed and its key percent-decoded and counted (what <c>keys --count</c> does).
/// </summary>
internal sealed class KeysScenario : IScenario
{
    public string Name => "keys";

    public string Description => "Get-MemcacheKeys / 'memcacheops keys --count': metadump hash, every line parsed and its key decoded; items = keys";

    public IReadOnlyList<string> ComparesWith => ["raw-metadump"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var sink = new CollectingSink();
        var meter = ResourceMeter.StartInProcess();
        await KeyListingService.RunAsync(new KeyListingRequest { Servers = [context.Source], CountOnly = true }, sink, cancellationToken);
        if (sink.Errors.Count > 0)
            throw sink.Errors[0];
        var count = sink.ResultsOf<KeyCountResult>().Single();
        var result = meter.Finish(count.Count, 0, $"method {count.Method}");
        if (count.Count != context.Count)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{count.Count} keys for {context.Count} loaded"));
        return result;
    }
}
