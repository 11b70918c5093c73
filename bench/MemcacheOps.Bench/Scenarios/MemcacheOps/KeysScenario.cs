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

    public string Description => "Get-MemcacheKeys -CountOnly / 'memcacheops keys --count': metadump hash drained through the spill queue (with --opt pattern=P every line is parsed, its key decoded and matched); items = keys";

    public IReadOnlyList<string> ComparesWith => ["raw-metadump"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var sink = new CollectingSink();
        // --opt pattern=... measures the filtered path, where every line is parsed and its key decoded and matched.
        var pattern = context.Option("pattern", string.Empty);
        var filter = pattern.Length == 0 ? KeyFilter.None : new KeyFilter(pattern);
        var meter = ResourceMeter.StartInProcess();
        await KeyListingService.RunAsync(new KeyListingRequest { Servers = [context.Source], CountOnly = true, Filter = filter }, sink, cancellationToken);
        if (sink.Errors.Count > 0)
            throw sink.Errors[0];
        var count = sink.ResultsOf<KeyCountResult>().Single();
        var result = meter.Finish(count.Count, 0, $"method {count.Method}{(pattern.Length == 0 ? ", count of lines" : $", pattern '{pattern}' matched on every decoded key")}");
        if (count.Count != context.Count)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{count.Count} keys for {context.Count} loaded"));
        return result;
    }
}
