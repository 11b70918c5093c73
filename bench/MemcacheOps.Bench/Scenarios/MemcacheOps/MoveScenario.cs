using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Engine.Move;
using MemcacheOps.Testing;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Bench.Scenarios.MemcacheOps;

/// <summary>
/// A node replacement: every item of the source copied straight into an empty memcached (listing,
/// pipelined mg, ms ... q, no disk), one pass. Compared with the raw fetch and the raw store: the
/// move is bounded by the slower of the two.
/// </summary>
internal sealed class MoveScenario : IScenario
{
    public string Name => "move";

    public string Description => "Move-MemcacheNode / 'memcacheops move' of the source into an empty memcached (listing + mg + ms ... q, no disk); items = copied, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-mg", "raw-mg-listed", "raw-ms", "raw-copy"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var target = context.StartServer();
        var options = new MoveOptions
        {
            Sources = [context.Source],
            Destinations = [target.ServerEndpoint],
            Mode = StoreMode.Set,
            Connections = context.Connections,
            Window = context.Window,
            BatchSize = context.BatchSize,
        };
        var phases = new PhaseRecordingSink();
        var meter = ResourceMeter.StartInProcess();
        var results = await MoveService.RunAsync(options, phases, cancellationToken);
        var end = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = results.Single();
        var scenario = meter.Finish(result.Copied, result.Bytes, string.Create(CultureInfo.InvariantCulture,
            $"{context.Connections} connection(s) per server, window {context.Window}, batch {context.BatchSize}, status {result.Status}"));
        scenario.Notes.Add("phases: " + phases.Describe(end));
        if (result.Copied != context.Count)
            scenario.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"copied {result.Copied} of {context.Count}"));
        return scenario;
    }
}
