namespace MemcacheOps.Engine.Discovery;

/// <summary>
/// One node of a cluster as its configuration (discovery) endpoint lists it. <see cref="Server"/> is ready
/// for any -Server / --server: the node's host name when it resolves here, otherwise its IP address.
/// </summary>
public sealed record MemcacheClusterNode
{
    /// <summary><c>host:port</c> to reach the node: the host name when it resolves, else the IP the configuration gives.</summary>
    public required string Server { get; init; }

    /// <summary>The node's host name as the configuration gives it (may be empty when only an IP is listed).</summary>
    public required string Host { get; init; }

    /// <summary>The node's IP address as the configuration gives it, or null when it gives none.</summary>
    public string? Address { get; init; }

    public required int Port { get; init; }

    /// <summary>The configuration's version; it grows by one whenever nodes join or leave.</summary>
    public required long ConfigVersion { get; init; }

    /// <summary>The endpoint that listed the node.</summary>
    public required string DiscoveryEndpoint { get; init; }

    /// <summary>True when <see cref="Server"/> uses the IP because the host name did not resolve here.</summary>
    public bool UsesAddress { get; init; }

    public override string ToString() => Server;
}
