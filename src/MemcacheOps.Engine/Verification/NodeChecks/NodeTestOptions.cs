using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>Options of Test-MemcacheNode / <c>memcacheops test</c>.</summary>
public sealed record NodeTestOptions
{
    /// <summary>Servers to check; each is checked on its own connection, all at the same time.</summary>
    public required IReadOnlyList<ServerEndpoint> Servers { get; init; }

    /// <summary>Also run the checks that wait for real time to pass (items expiring), a few seconds more.</summary>
    public bool IncludeSlow { get; init; }

    /// <summary>Also run the checks that change items other than the run's own (flush_all), and write values larger than 32 MiB.</summary>
    public bool Destructive { get; init; }

    /// <summary>Emit one <see cref="NodeTestSummary"/> per server (in the order given) instead of one result per check.</summary>
    public bool SummaryOnly { get; init; }

    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;
}
