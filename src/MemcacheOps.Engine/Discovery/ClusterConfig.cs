using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Discovery;

/// <summary>A node entry of a cluster configuration: <c>host|ip|port</c>, the IP possibly empty.</summary>
public sealed record ClusterConfigNode(string Host, string? Address, int Port);

/// <summary>
/// The body of a cluster configuration, as ElastiCache's configuration endpoint and Memorystore's discovery
/// endpoint send it (in reply to <c>config get cluster</c>, or as the value of <c>AmazonElastiCache:cluster</c>
/// on engines before 1.4.14): the configuration version on the first line, then the nodes on one line,
/// separated by spaces, each <c>host|ip|port</c>; the body ends with a newline.
/// </summary>
public sealed record ClusterConfig(long Version, IReadOnlyList<ClusterConfigNode> Nodes)
{
    /// <summary>Parses a configuration body; a malformed body or an empty node list is an error naming <paramref name="endpoint"/>.</summary>
    public static ClusterConfig Parse(ReadOnlySpan<byte> body, string endpoint)
    {
        var text = Encoding.UTF8.GetString(body);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0)
            throw Malformed(endpoint, "the configuration is empty (no version line)");
        if (!long.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            throw Malformed(endpoint, $"the first line '{Shorten(lines[0])}' is not a configuration version (a whole number)");
        if (lines.Count > 2)
            throw Malformed(endpoint, $"it has {lines.Count} lines where a version line and a node line are expected");
        var entries = lines.Count == 2 ? lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        if (entries.Length == 0)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidData, "ClusterEmpty",
                $"The cluster configuration from {endpoint} (version {version}) lists no nodes. The cluster may still be creating its nodes or may have been scaled to zero; ask again later, or check the cluster in its console.",
                endpoint);
        }
        var nodes = new List<ClusterConfigNode>(entries.Length);
        foreach (var entry in entries)
            nodes.Add(ParseNode(entry, endpoint));
        return new ClusterConfig(version, nodes);
    }

    private static ClusterConfigNode ParseNode(string entry, string endpoint)
    {
        var parts = entry.Split('|');
        if (parts.Length != 3)
            throw Malformed(endpoint, $"the node entry '{Shorten(entry)}' is not host|ip|port");
        var host = parts[0];
        var address = parts[1].Length == 0 ? null : parts[1];
        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw Malformed(endpoint, $"the node entry '{Shorten(entry)}' has no valid port (1-65535)");
        if (host.Length == 0 && address is null)
            throw Malformed(endpoint, $"the node entry '{Shorten(entry)}' has neither a host nor an IP address");
        if (host.Length > 0 && !IsHost(host))
            throw Malformed(endpoint, $"the node entry '{Shorten(entry)}' has a host name that is not one");
        if (address is not null && !IPAddress.TryParse(address, out _))
            throw Malformed(endpoint, $"the node entry '{Shorten(entry)}' has an IP address that is not one");
        return new ClusterConfigNode(host, address, port);
    }

    /// <summary>A host name or IP literal, checked as the engine checks any server's host.</summary>
    private static bool IsHost(string host)
    {
        if (host.Contains(':', StringComparison.Ordinal))
            return IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        return ServerEndpoint.TryParse(host, out _, out _);
    }

    internal static MemcacheException Malformed(string endpoint, string problem)
        => new(MemcacheErrorKind.ProtocolError, "ClusterReplyMalformed",
            $"The cluster configuration from {endpoint} is malformed: {problem}. Check that {endpoint} is the cluster's configuration (discovery) endpoint.",
            endpoint);

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
