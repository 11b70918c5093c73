using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Discovery;

/// <summary>Options of Get-MemcacheCluster / <c>memcacheops cluster</c>. Names match the cmdlet parameters.</summary>
public sealed record DiscoveryOptions
{
    /// <summary>Configuration (discovery) endpoints to ask, each for its own cluster.</summary>
    public required IReadOnlyList<ServerEndpoint> DiscoveryEndpoints { get; init; }

    /// <summary>The same connection settings every other operation uses (timeouts now; TLS and authentication where the connection offers them).</summary>
    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;
}
