using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Discovery;

namespace MemcacheOps.Tests.Discovery;

/// <summary>The configuration body as ElastiCache and Memorystore send it: version line, then host|ip|port entries.</summary>
public sealed class ClusterConfigTests
{
    private static ClusterConfig Parse(string body) => ClusterConfig.Parse(Encoding.ASCII.GetBytes(body), "cfg:11211");

    [Fact]
    public void Reads_the_version_and_every_node_in_order()
    {
        var config = Parse("12\nmyCluster.pc4ldq.0001.use1.cache.amazonaws.com|10.82.235.120|11211 myCluster.pc4ldq.0002.use1.cache.amazonaws.com|10.80.249.27|11211\n");
        Assert.Equal(12, config.Version);
        Assert.Equal(
            [
                new ClusterConfigNode("myCluster.pc4ldq.0001.use1.cache.amazonaws.com", "10.82.235.120", 11211),
                new ClusterConfigNode("myCluster.pc4ldq.0002.use1.cache.amazonaws.com", "10.80.249.27", 11211),
            ],
            config.Nodes);
    }

    [Theory]
    [InlineData("1\nnode-a||11211\n", "node-a", null, 11211)]               // the IP may be empty
    [InlineData("1\n|10.0.0.5|11212\n", "", "10.0.0.5", 11212)]            // so may the host when the IP is given
    [InlineData("1\nnode-a|fd00::5|11211\n", "node-a", "fd00::5", 11211)]  // IPv6 addresses
    [InlineData("1\r\nnode-a|10.0.0.1|11211\r\n", "node-a", "10.0.0.1", 11211)] // CRLF lines
    [InlineData("1\nnode-a|10.0.0.1|11211", "node-a", "10.0.0.1", 11211)]  // no final newline
    public void Accepts_the_forms_endpoints_send(string body, string host, string? address, int port)
        => Assert.Equal(new ClusterConfigNode(host, address, port), Assert.Single(Parse(body).Nodes));

    [Theory]
    [InlineData("", "ClusterReplyMalformed", "no version line")]
    [InlineData("v12\nnode|10.0.0.1|11211\n", "ClusterReplyMalformed", "not a configuration version")]
    [InlineData("12\nnode|10.0.0.1\n", "ClusterReplyMalformed", "not host|ip|port")]
    [InlineData("12\nnode|10.0.0.1|11211|x\n", "ClusterReplyMalformed", "not host|ip|port")]
    [InlineData("12\nnode|10.0.0.1|0\n", "ClusterReplyMalformed", "no valid port")]
    [InlineData("12\nnode|10.0.0.1|99999\n", "ClusterReplyMalformed", "no valid port")]
    [InlineData("12\nnode|10.0.0.1|port\n", "ClusterReplyMalformed", "no valid port")]
    [InlineData("12\n||11211\n", "ClusterReplyMalformed", "neither a host nor an IP")]
    [InlineData("12\nno de|10.0.0.1|11211\n", "ClusterReplyMalformed", "not host|ip|port")]
    [InlineData("12\nnode!|10.0.0.1|11211\n", "ClusterReplyMalformed", "host name that is not one")]
    [InlineData("12\nnode|10.0.0.300|11211\n", "ClusterReplyMalformed", "IP address that is not one")]
    [InlineData("12\nnode|10.0.0.1|11211\nextra\n", "ClusterReplyMalformed", "3 lines")]
    [InlineData("12\n", "ClusterEmpty", "lists no nodes")]
    [InlineData("12\n\n", "ClusterEmpty", "lists no nodes")]
    [InlineData("12\n   \n", "ClusterEmpty", "lists no nodes")]
    public void Bad_bodies_are_errors_naming_the_endpoint(string body, string errorId, string fragment)
    {
        var error = Assert.Throws<MemcacheException>(() => Parse(body));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains("cfg:11211", error.Message, StringComparison.Ordinal);
        Assert.Equal("cfg:11211", error.Target);
    }
}
