using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Discovery;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Cli.Commands;

/// <summary><c>memcacheops cluster</c>: the same as Get-MemcacheCluster.</summary>
public sealed class ClusterCommand : ICommand
{
    public string Name => "cluster";

    public string Summary => "List a cluster's nodes from its configuration (discovery) endpoint: one host:port per line, --json objects, --csv one line for --server.";

    /// <summary>The connection options every verb shares, without --server: the nodes are what this verb finds.</summary>
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("discovery-endpoint", OptionKind.List, "The configuration (discovery) endpoint: ElastiCache's .cfg. address or Memorystore's discovery endpoint (default port 11211).", "configuration-endpoint") { ValueName = "H:P" },
        new("csv", OptionKind.Flag, "Print the nodes as one comma-separated line, ready for --server."),
        .. CommonOptions.Connection.Where(o => o != CommonOptions.Server),
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var texts = args.List("discovery-endpoint");
        if (texts.Count == 0)
            throw new UsageException("--discovery-endpoint is required (e.g. --discovery-endpoint mycluster.abc123.cfg.use1.cache.amazonaws.com:11211).");
        var json = args.Flag("json");
        var csv = args.Flag("csv");
        if (json && csv)
            throw new UsageException("Give --json or --csv, not both.");
        var options = new DiscoveryOptions
        {
            DiscoveryEndpoints = ServerEndpoint.ParseList(texts),
            Connection = CommonOptions.ConnectionOptions(args),
        };
        var servers = new List<string>();
        var sink = new ConsoleSink(console, json, (result, w) =>
        {
            if (result is not MemcacheClusterNode node)
                w.WriteLine(result);
            else if (csv)
                servers.Add(node.Server); // printed together once every endpoint answered
            else
                w.WriteLine(node.Server);
        }, args.Flag("quiet"));
        await ClusterDiscoveryService.RunAsync(options, sink, cancellationToken).ConfigureAwait(false);
        if (csv && servers.Count > 0)
            await console.Out.WriteLineAsync(string.Join(",", servers)).ConfigureAwait(false);
        return sink.ErrorCount > 0 ? ExitCodes.Error : ExitCodes.Success;
    }
}
