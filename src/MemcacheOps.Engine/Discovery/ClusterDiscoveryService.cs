using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Discovery;

/// <summary>
/// Finds a cluster's nodes from its configuration (discovery) endpoint and emits one
/// <see cref="MemcacheClusterNode"/> per node, in the configuration's order. Each node's
/// <see cref="MemcacheClusterNode.Server"/> uses its host name when the name resolves here (what TLS
/// certificates name) and its IP address otherwise (a VPC-internal name seen from outside the VPC).
/// An endpoint that fails is reported as an error naming it; the other endpoints still report.
/// </summary>
public static class ClusterDiscoveryService
{
    public static async Task RunAsync(DiscoveryOptions options, IOperationSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        if (options.DiscoveryEndpoints.Count == 0)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoDiscoveryEndpoint",
                "No discovery endpoint was given. Name the cluster's configuration endpoint, e.g. mycluster.abc123.cfg.use1.cache.amazonaws.com:11211.");
        }
        foreach (var endpoint in options.DiscoveryEndpoints)
        {
            try
            {
                foreach (var node in await DiscoverAsync(endpoint, options, sink, cancellationToken).ConfigureAwait(false))
                    await sink.EmitAsync(node, cancellationToken).ConfigureAwait(false);
            }
            catch (MemcacheException ex)
            {
                // An endpoint's failure is reported (naming it) and the other clusters are still listed, as
                // Get-MemcacheStats does for servers; a caller that needs all of them stops on the error.
                sink.Error(ex);
            }
        }
    }

    /// <summary>The nodes one endpoint lists, with their server strings decided.</summary>
    public static async Task<IReadOnlyList<MemcacheClusterNode>> DiscoverAsync(ServerEndpoint endpoint, DiscoveryOptions options, IOperationSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        var config = await ClusterConfigReader.ReadAsync(endpoint, options.Connection, sink, cancellationToken).ConfigureAwait(false);
        sink.Verbose(string.Create(CultureInfo.InvariantCulture, $"{endpoint}: configuration version {config.Version}, {config.Nodes.Count} node(s)."));
        var resolveTimeout = options.Connection.ConnectTimeout;
        // Nodes found through a TLS endpoint (tls:// or -Tls) are TLS too: a cluster encrypts in transit on
        // every node or on none, so their server strings carry tls:// and work in any -Server as they are.
        var tls = endpoint.Tls || options.Connection.Tls;
        var servers = await Task.WhenAll(config.Nodes.Select(n => ChooseServerAsync(n, tls, resolveTimeout, cancellationToken))).ConfigureAwait(false);
        var nodes = new List<MemcacheClusterNode>(config.Nodes.Count);
        for (var i = 0; i < config.Nodes.Count; i++)
        {
            var node = config.Nodes[i];
            var (server, choice) = servers[i];
            if (choice == Choice.AddressForUnresolvedHost)
                sink.Verbose($"{endpoint}: node {node.Host} does not resolve here; using its address {node.Address}.");
            else if (choice == Choice.UnresolvedHost)
                sink.Warning($"{endpoint}: node {node.Host} does not resolve here and the configuration gives no IP address for it; it is listed by name.");
            nodes.Add(new MemcacheClusterNode
            {
                Server = server.ToString(),
                Host = node.Host,
                Address = node.Address,
                Port = node.Port,
                ConfigVersion = config.Version,
                DiscoveryEndpoint = endpoint.ToString(),
                UsesAddress = choice is Choice.Address or Choice.AddressForUnresolvedHost,
            });
        }
        return nodes;
    }

    /// <summary>The host name when it resolves (or there is no IP to fall back to), otherwise the IP.</summary>
    private static async Task<(ServerEndpoint Server, Choice Choice)> ChooseServerAsync(ClusterConfigNode node, bool tls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (node.Host.Length == 0)
            return (new ServerEndpoint(node.Address!, node.Port, tls), Choice.Address);
        if (await ResolvesAsync(node.Host, timeout, cancellationToken).ConfigureAwait(false))
            return (new ServerEndpoint(node.Host, node.Port, tls), Choice.Host);
        return node.Address is null
            ? (new ServerEndpoint(node.Host, node.Port, tls), Choice.UnresolvedHost)
            : (new ServerEndpoint(node.Address, node.Port, tls), Choice.AddressForUnresolvedHost);
    }

    private enum Choice
    {
        /// <summary>The host name, which resolves.</summary>
        Host,
        /// <summary>The IP: the configuration gives no host name.</summary>
        Address,
        /// <summary>The IP, because the host name does not resolve here.</summary>
        AddressForUnresolvedHost,
        /// <summary>The host name although it does not resolve: there is no IP to use instead.</summary>
        UnresolvedHost,
    }

    private static async Task<bool> ResolvesAsync(string host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out _))
            return true;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, limit.Token).ConfigureAwait(false);
            return addresses.Length > 0;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // No answer within the connect timeout counts as not resolving: the IP is the safer choice.
            return false;
        }
    }
}
