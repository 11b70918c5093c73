using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// Raw protocol limit for listing keys: <c>lru_crawler metadump hash</c> read as fast as it arrives,
/// counting lines without parsing them.
/// </summary>
internal sealed class RawMetadumpScenario : IScenario
{
    public string Name => "raw-metadump";

    public string Description => "'lru_crawler metadump hash' over a plain socket, counting lines until END; items = lines, bytes = listing bytes";

    public IReadOnlyList<string> ComparesWith => [];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        using var connection = await RawConnection.ConnectAsync(context.Source, cancellationToken);
        var meter = ResourceMeter.StartInProcess();
        var listing = await RawMetadump.CountAsync(connection, context.Source, cancellationToken);
        return meter.Finish(listing.Lines, listing.Bytes, [.. RawMetadump.Notes(listing, context.Count)]);
    }
}
