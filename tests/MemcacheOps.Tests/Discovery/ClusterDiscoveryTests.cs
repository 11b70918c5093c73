using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Discovery;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Discovery;

/// <summary>Three real memcached nodes behind a loopback discovery endpoint that answers in the documented format.</summary>
public sealed class ClusterNodes : IDisposable
{
    public ClusterNodes()
    {
        Nodes = Enumerable.Range(0, 3).Select(_ => MemcachedProcess.Start(memoryMb: 16)).ToArray();
        // One node by a name that resolves, one by a name that never does (RFC 6761 .invalid) with its IP,
        // one by IP only: Server must be localhost:p, 127.0.0.1:p and 127.0.0.1:p.
        Entries =
        [
            $"localhost|127.0.0.1|{Nodes[0].Port}",
            $"node-2.cluster.invalid|127.0.0.1|{Nodes[1].Port}",
            $"|127.0.0.1|{Nodes[2].Port}",
        ];
        Servers = [$"localhost:{Nodes[0].Port}", Nodes[1].Endpoint, Nodes[2].Endpoint];
    }

    public MemcachedProcess[] Nodes { get; }

    /// <summary>The node list of the configuration, host|ip|port each.</summary>
    public string[] Entries { get; }

    /// <summary>The Server strings discovery must produce, in order.</summary>
    public string[] Servers { get; }

    public void Dispose()
    {
        foreach (var node in Nodes)
            node.Dispose();
    }
}

/// <summary>
/// Discovery against loopback endpoints that reply as ElastiCache and Memorystore do (and as they must not),
/// with real memcached nodes behind them: what is sent, what is listed, and every bad reply's error.
/// </summary>
public sealed class ClusterDiscoveryTests(ClusterNodes cluster) : IClassFixture<ClusterNodes>
{
    private static readonly ConnectionOptions Quick = ConnectionOptions.Default with { ReadTimeout = TimeSpan.FromSeconds(2), ConnectTimeout = TimeSpan.FromSeconds(2) };

    private string Body(long version = 7) => $"{version}\n{string.Join(' ', cluster.Entries)}\n";

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] ConfigReply(string body) => Ascii(string.Create(CultureInfo.InvariantCulture, $"CONFIG cluster 0 {Encoding.ASCII.GetByteCount(body)}\r\n{body}\r\nEND\r\n"));

    private static byte[] LegacyReply(string body) => Ascii(string.Create(CultureInfo.InvariantCulture, $"VALUE AmazonElastiCache:cluster 0 {Encoding.ASCII.GetByteCount(body)}\r\n{body}\r\nEND\r\n"));

    /// <summary>A discovery endpoint answering <c>config get cluster</c> as the documentation says, recording every command.</summary>
    private ScriptedServer Endpoint(ConcurrentQueue<string> received, Func<string, IEnumerable<byte[]>?>? script = null)
        => new(line =>
        {
            received.Enqueue(line);
            return (script ?? (l => l == "config get cluster" ? [ConfigReply(Body())] : [Ascii("ERROR\r\n")]))(line);
        });

    private static async Task<(List<MemcacheClusterNode> Nodes, CollectingSink Sink)> DiscoverAsync(params string[] endpoints)
    {
        var sink = new CollectingSink();
        await ClusterDiscoveryService.RunAsync(new DiscoveryOptions
        {
            DiscoveryEndpoints = endpoints.Select(ServerEndpoint.Parse).ToList(),
            Connection = Quick,
        }, sink, CancellationToken.None);
        return (sink.Results.Cast<MemcacheClusterNode>().ToList(), sink);
    }

    private static async Task<MemcacheException> FailAsync(string endpoint)
    {
        var (nodes, sink) = await DiscoverAsync(endpoint);
        Assert.Empty(nodes);
        var error = Assert.Single(sink.Errors);
        Assert.Contains(endpoint, error.Message, StringComparison.Ordinal);
        Assert.Equal(endpoint, error.Target);
        return error;
    }

    [Fact]
    public async Task Lists_exactly_the_configured_nodes_and_their_stats_come_from_all_three()
    {
        var received = new ConcurrentQueue<string>();
        await using var endpoint = Endpoint(received);

        var (nodes, sink) = await DiscoverAsync(endpoint.Endpoint);

        Assert.Empty(sink.Errors);
        Assert.Equal(cluster.Servers, nodes.Select(n => n.Server));
        Assert.Equal(["localhost", "node-2.cluster.invalid", ""], nodes.Select(n => n.Host));
        Assert.All(nodes, n => Assert.Equal("127.0.0.1", n.Address));
        Assert.Equal(cluster.Nodes.Select(n => n.Port), nodes.Select(n => n.Port));
        Assert.All(nodes, n => Assert.Equal(7, n.ConfigVersion));
        Assert.All(nodes, n => Assert.Equal(endpoint.Endpoint, n.DiscoveryEndpoint));
        Assert.Equal([false, true, true], nodes.Select(n => n.UsesAddress));
        Assert.Contains(sink.VerboseMessages, m => m.Contains("node-2.cluster.invalid does not resolve here", StringComparison.Ordinal));

        // What discovery sent: config get cluster only (a Memorystore endpoint must not be sent gets or sets).
        Assert.Equal(["config get cluster"], received);

        // The listed servers are what every other operation takes: stats from all three real nodes.
        var stats = new CollectingSink();
        await StatsService.RunAsync(new StatsOptions { Servers = nodes.Select(n => ServerEndpoint.Parse(n.Server)).ToList() }, stats, CancellationToken.None);
        Assert.Empty(stats.Errors);
        Assert.Equal(cluster.Servers.Order(), stats.Results.Cast<ServerStats>().Select(s => s.Server).Order());
    }

    [Fact]
    public async Task Nodes_found_through_a_tls_endpoint_are_tls_servers_too()
    {
        using var certificates = TestCertificates.Create();
        using var certificate = X509Certificate2.CreateFromPemFile(certificates.Server.CertificateFile, certificates.Server.KeyFile);
        var received = new ConcurrentQueue<string>();
        await using var endpoint = new ScriptedServer(line =>
        {
            received.Enqueue(line);
            return line == "config get cluster" ? [ConfigReply(Body())] : [Ascii("ERROR\r\n")];
        }, certificate: certificate);
        var sink = new CollectingSink();

        await ClusterDiscoveryService.RunAsync(new DiscoveryOptions
        {
            DiscoveryEndpoints = [ServerEndpoint.Parse("tls://" + endpoint.Endpoint)],
            Connection = Quick with { TlsCaFile = certificates.CaFile },
        }, sink, CancellationToken.None);

        Assert.Empty(sink.Errors);
        var nodes = sink.Results.Cast<MemcacheClusterNode>().ToList();
        // A cluster encrypts on every node or on none: the servers it lists are written tls://, ready for -Server.
        Assert.Equal(cluster.Servers.Select(s => "tls://" + s), nodes.Select(n => n.Server));
        Assert.All(nodes, n => Assert.True(ServerEndpoint.Parse(n.Server).Tls));
        Assert.Equal(["config get cluster"], received);
    }

    [Fact]
    public async Task An_endpoint_that_does_not_know_config_get_cluster_is_asked_the_older_way()
    {
        var received = new ConcurrentQueue<string>();
        await using var endpoint = Endpoint(received, line => line == "get AmazonElastiCache:cluster" ? [LegacyReply(Body(3))] : [Ascii("ERROR\r\n")]);

        var (nodes, sink) = await DiscoverAsync(endpoint.Endpoint);

        Assert.Empty(sink.Errors);
        Assert.Equal(cluster.Servers, nodes.Select(n => n.Server));
        Assert.All(nodes, n => Assert.Equal(3, n.ConfigVersion));
        Assert.Equal(["config get cluster", "get AmazonElastiCache:cluster"], received);
    }

    [Fact]
    public async Task A_plain_memcached_is_not_a_discovery_endpoint()
    {
        var error = await FailAsync(cluster.Nodes[0].Endpoint);
        Assert.Equal("ClusterNotDiscoveryEndpoint", error.ErrorId);
        Assert.Contains("answered ERROR to 'config get cluster'", error.Message, StringComparison.Ordinal);
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
    }

    public static TheoryData<string, string, string> BadReplies() => new()
    {
        // what the endpoint sends to 'config get cluster', the error id, a fragment of the message
        { "CONFIG cluster 0 abc\r\n", "ClusterReplyMalformed", "are not numbers" },
        { "CONFIG clusters 0 10\r\n", "ClusterReplyMalformed", "'CONFIG cluster <flags> <bytes>' was expected" },
        { "VALUE x 0 3\r\nabc\r\nEND\r\n", "ClusterReplyMalformed", "'CONFIG cluster <flags> <bytes>' was expected" },
        { "CONFIG cluster 0 5\r\n1\nnode-a|10.0.0.1|11211\n\r\nEND\r\n", "ClusterReplyMalformed", "the length does not match the body" },
        { "CONFIG cluster 0 27\r\n1\nnode-a|10.0.0.1|11211\n\r\nEND\r\n", "ClusterReplyMalformed", "the length does not match the body" },
        { "CONFIG cluster 0 24\r\n1\nnode-a|10.0.0.1|11211\n\r\nENDX\r\n", "ClusterReplyMalformed", "where END was expected" },
        { "CONFIG cluster 0 2\r\n1\n\r\nEND\r\n", "ClusterEmpty", "lists no nodes" },
        { "CONFIG cluster 0 99999999\r\n", "ClusterReplyMalformed", "more than any cluster configuration" },
        { "END\r\n", "ClusterConfigMissing", "with no configuration" },
        { "CLIENT_ERROR unauthenticated\r\n", "ClusterConfigRefused", "CLIENT_ERROR unauthenticated" },
        { "SERVER_ERROR out of memory\r\n", "ClusterConfigRefused", "SERVER_ERROR out of memory" },
        { "HTTP/1.1 400 Bad Request\r\n", "ClusterReplyMalformed", "HTTP/1.1 400 Bad Request" },
    };

    [Theory]
    [MemberData(nameof(BadReplies))]
    public async Task Bad_replies_are_errors_naming_the_endpoint(string reply, string errorId, string fragment)
    {
        await using var endpoint = new ScriptedServer(_ => [Ascii(reply)]);
        var error = await FailAsync(endpoint.Endpoint);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_cut_off_in_the_body_is_truncated_not_a_smaller_cluster()
    {
        var full = ConfigReply(Body());
        await using var endpoint = new ScriptedServer(_ => [full[..(full.Length - 30)], ScriptedServer.Close]);
        var error = await FailAsync(endpoint.Endpoint);
        Assert.Equal("ClusterReplyTruncated", error.ErrorId);
        Assert.Contains("the connection closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_that_stops_arriving_ends_within_the_timeout()
    {
        var full = ConfigReply(Body());
        await using var endpoint = new ScriptedServer(_ => [full[..(full.Length - 30)]]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = await FailAsync(endpoint.Endpoint);
        Assert.Equal("ClusterReplyTruncated", error.ErrorId);
        Assert.Contains("went silent", error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_closed_connection_before_any_answer_is_an_error()
    {
        await using var endpoint = new ScriptedServer(_ => [ScriptedServer.Close]);
        Assert.Equal("ClusterReplyTruncated", (await FailAsync(endpoint.Endpoint)).ErrorId);
    }

    [Fact]
    public async Task Several_endpoints_list_their_clusters_and_a_failing_one_does_not_hide_the_others()
    {
        var received = new ConcurrentQueue<string>();
        await using var endpoint = Endpoint(received);
        var (nodes, sink) = await DiscoverAsync(cluster.Nodes[1].Endpoint, endpoint.Endpoint);
        Assert.Equal(cluster.Servers, nodes.Select(n => n.Server));
        Assert.Equal("ClusterNotDiscoveryEndpoint", Assert.Single(sink.Errors).ErrorId);
    }

    [Fact]
    public async Task Cli_prints_one_server_per_line_json_objects_or_one_line_for_server()
    {
        var received = new ConcurrentQueue<string>();
        await using var endpoint = Endpoint(received);

        var (code, output, errors) = await CliRunner.RunAsync("cluster", "--discovery-endpoint", endpoint.Endpoint);
        Assert.True(code == 0, errors);
        Assert.Equal(cluster.Servers, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        (code, output, errors) = await CliRunner.RunAsync("cluster", "--discovery-endpoint", endpoint.Endpoint, "--csv");
        Assert.True(code == 0, errors);
        Assert.Equal(string.Join(",", cluster.Servers) + Environment.NewLine, output);

        (code, output, errors) = await CliRunner.RunAsync("cluster", "--configuration-endpoint", endpoint.Endpoint, "--json");
        Assert.True(code == 0, errors);
        var objects = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(cluster.Servers, objects.Select(o => o.GetProperty("server").GetString()));
        Assert.All(objects, o => Assert.Equal(7, o.GetProperty("configVersion").GetInt64()));

        // The --csv line is what --server takes: stats of the three nodes through it.
        (code, output, errors) = await CliRunner.RunAsync("stats", "--server", string.Join(",", cluster.Servers), "--json");
        Assert.True(code == 0, errors);
        Assert.Equal(3, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Cli_reports_a_plain_memcached_and_bad_usage_with_exit_code_2()
    {
        var (code, output, errors) = await CliRunner.RunAsync("cluster", "--discovery-endpoint", cluster.Nodes[0].Endpoint, "--csv");
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains($"error: {cluster.Nodes[0].Endpoint} is not a cluster configuration (discovery) endpoint", errors, StringComparison.Ordinal);
        Assert.Contains("[ClusterNotDiscoveryEndpoint]", errors, StringComparison.Ordinal);

        (code, _, errors) = await CliRunner.RunAsync("cluster");
        Assert.Equal(2, code);
        Assert.Contains("--discovery-endpoint is required", errors, StringComparison.Ordinal);

        (code, _, errors) = await CliRunner.RunAsync("cluster", "--discovery-endpoint", "cfg:11211", "--json", "--csv");
        Assert.Equal(2, code);
        Assert.Contains("not both", errors, StringComparison.Ordinal);

        (code, _, errors) = await CliRunner.RunAsync("cluster", "--discovery-endpoint", "cfg:11211", "--server", "a:1");
        Assert.Equal(2, code);
        Assert.Contains("--server", errors, StringComparison.Ordinal);
    }
}
