using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Engine.Discovery;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Lists the nodes of a memcached cluster from its configuration (discovery) endpoint: ElastiCache's configuration endpoint or Memorystore's discovery endpoint.</para>
/// <para type="description">Asks the endpoint 'config get cluster' and emits one object per node, in the configuration's order, with Server as host:port ready for any -Server or -Destination, the node's Host and Address (IP), Port and the ConfigVersion (which grows whenever nodes change). Server uses the host name when it resolves here and the IP address when it does not (a VPC-internal name seen from elsewhere). Only an endpoint that answers ERROR to 'config get cluster' (an ElastiCache engine before 1.4.14) is asked for the older AmazonElastiCache:cluster item; nothing else is ever sent, so a Memorystore discovery endpoint, which must not be sent gets or sets, sees only 'config get cluster'. A plain memcached server, a malformed or truncated reply and an empty node list are errors that name the endpoint. The connection uses the same settings as every other cmdlet (-ConnectTimeout, -Timeout, and transport security where the module offers it).</para>
/// </summary>
/// <example>
/// <code>Get-MemcacheCluster -DiscoveryEndpoint mycluster.abc123.cfg.use1.cache.amazonaws.com:11211</code>
/// <para>Lists the cluster's nodes: one line per node with Server, Address, Port and the configuration version.</para>
/// </example>
/// <example>
/// <code>Get-MemcacheCluster mycluster.abc123.cfg.use1.cache.amazonaws.com | Get-MemcacheStats</code>
/// <para>Reads the statistics of every node of the cluster: the nodes bind to Get-MemcacheStats by their Server property.</para>
/// </example>
/// <example>
/// <code>Move-MemcacheNode -Source old-cache:11211 -Destination (Get-MemcacheCluster mycluster.abc123.cfg.use1.cache.amazonaws.com).Server -WhatIf</code>
/// <para>Plans moving a standalone server's items into the cluster, each key to its owner among the cluster's current nodes.</para>
/// </example>
/// <seealso cref="GetMemcacheStatsCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsCommon.Get, "MemcacheCluster")]
[OutputType(typeof(MemcacheClusterNode))]
public sealed class GetMemcacheClusterCommand : MemcacheCmdlet
{
    private readonly List<string> _endpoints = [];

    /// <summary>
    /// <para type="description">The cluster's configuration (discovery) endpoint as host, host:port or [IPv6]:port (default port 11211). Several endpoints list several clusters. Accepts pipeline input.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ConfigurationEndpoint")]
    [ValidateNotNullOrEmpty]
    public string[] DiscoveryEndpoint { get; set; } = [];

    protected override void ProcessRecord() => _endpoints.AddRange(DiscoveryEndpoint);

    protected override void EndProcessing()
    {
        var options = new DiscoveryOptions
        {
            DiscoveryEndpoints = Validate(() => ServerEndpoint.ParseList(_endpoints)),
            Connection = ConnectionOptions,
        };
        RunOperation((sink, token) => ClusterDiscoveryService.RunAsync(options, sink, token));
        base.EndProcessing();
    }
}
