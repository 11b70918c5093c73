using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// Raw protocol limit for storing: the whole reference set as pipelined <c>ms ... q</c> commands (batches
/// closed by <c>mn</c>) into a second, empty memcached. The wire bytes are generated before the clock
/// starts, so the figure is the protocol's and the server's, not SHAKE-256's.
/// </summary>
internal sealed class RawMsScenario : IScenario
{
    public string Name => "raw-ms";

    public string Description => "pipelined 'ms <key> <len> F T q' (+ 'mn' per --batch) of the set into an empty memcached, wire bytes pre-generated; items = stored, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => [];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var prepared = RawStoreStream.Generate(context);
        var target = context.StartServer();
        using var connection = await RawConnection.ConnectAsync(target.ServerEndpoint, cancellationToken);

        var targetCpuBefore = ServerStats.Cpu(target.IPEndPoint);
        var meter = ResourceMeter.StartInProcess();
        await RawStoreStream.SendAsync(connection, prepared, cancellationToken);
        var result = meter.Finish(context.Count, prepared.ValueBytes, string.Create(CultureInfo.InvariantCulture,
            $"batch {context.BatchSize}, unwindowed stream, 1 connection; {prepared.HeldMiB} MiB of wire bytes held in memory"));

        result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"target server cpu {ServerStats.Cpu(target.IPEndPoint) - targetCpuBefore:F2} s"));
        var stored = (long)target.Stat("curr_items");
        if (stored != context.Count)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"target holds {stored} items, expected {context.Count}"));
        return result;
    }
}
