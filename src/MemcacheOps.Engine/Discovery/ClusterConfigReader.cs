using System.Globalization;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Discovery;

/// <summary>
/// Asks a configuration (discovery) endpoint for its cluster configuration. The first and usually only
/// command is <c>config get cluster</c>, which ElastiCache (engine 1.4.14 and later) and Memorystore both
/// answer. Only when the endpoint answers <c>ERROR</c> (it does not know the command: an ElastiCache engine
/// before 1.4.14, or a plain memcached) does it send <c>get AmazonElastiCache:cluster</c>, the older form;
/// nothing else is ever sent, so a Memorystore discovery endpoint, which must not be sent gets or sets,
/// only ever sees <c>config get cluster</c>.
/// </summary>
public static class ClusterConfigReader
{
    /// <summary>Far above any real configuration (hundreds of nodes take tens of KiB); a larger length is not a configuration.</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    private const string LegacyKey = "AmazonElastiCache:cluster";

    public static async Task<ClusterConfig> ReadAsync(ServerEndpoint endpoint, ConnectionOptions options, IOperationSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(sink);
        var name = endpoint.ToString();
        await using var connection = await MemcachedConnection.OpenAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        await connection.SendAsciiAsync("config get cluster\r\n", cancellationToken).ConfigureAwait(false);
        var line = await ReadLineAsync(connection, name, "config get cluster", cancellationToken).ConfigureAwait(false);
        if (line == "ERROR")
        {
            sink.Verbose($"{name} does not know 'config get cluster'; asking for the older {LegacyKey} item.");
            return await ReadLegacyAsync(connection, name, cancellationToken).ConfigureAwait(false);
        }
        if (line == "END")
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "ClusterConfigMissing",
                $"{name} answered 'config get cluster' with no configuration. Give the cluster's configuration (discovery) endpoint, or list the nodes with -Server (--server).",
                name);
        }
        Refused(line, name, "config get cluster");
        var length = Header(line, "CONFIG", "cluster", name, "config get cluster");
        return await ReadBodyAsync(connection, name, length, "CONFIG", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ClusterConfig> ReadLegacyAsync(MemcachedConnection connection, string name, CancellationToken cancellationToken)
    {
        await connection.SendAsciiAsync($"get {LegacyKey}\r\n", cancellationToken).ConfigureAwait(false);
        var line = await ReadLineAsync(connection, name, $"get {LegacyKey}", cancellationToken).ConfigureAwait(false);
        if (line == "END")
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "ClusterNotDiscoveryEndpoint",
                $"{name} is not a cluster configuration (discovery) endpoint: it answered ERROR to 'config get cluster' and holds no {LegacyKey} item, as a plain memcached server does. Give the configuration endpoint (ElastiCache: the cluster's .cfg. address; Memorystore: the discovery endpoint), or list the nodes themselves with -Server (--server).",
                name);
        }
        Refused(line, name, $"get {LegacyKey}");
        var length = Header(line, "VALUE", LegacyKey, name, $"get {LegacyKey}");
        return await ReadBodyAsync(connection, name, length, "VALUE", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The body of <paramref name="length"/> bytes, then <c>\r\n</c> and <c>END</c>; anything else means the reply is not whole.</summary>
    private static async Task<ClusterConfig> ReadBodyAsync(MemcachedConnection connection, string name, int length, string form, CancellationToken cancellationToken)
    {
        var total = length + 2;
        connection.EnsureCapacity(total);
        while (connection.BufferedCount < total)
        {
            try
            {
                await connection.FillAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (MemcacheException ex) when (ex.ErrorId is "MemcacheConnectionLost" or "MemcacheReadTimeout")
            {
                throw new MemcacheException(MemcacheErrorKind.ProtocolError, "ClusterReplyTruncated",
                    string.Create(CultureInfo.InvariantCulture, $"The cluster configuration from {name} is truncated: its {form} line announced {length} bytes but only {Math.Min(connection.BufferedCount, length)} arrived before {(ex.ErrorId == "MemcacheReadTimeout" ? "the server went silent" : "the connection closed")}. Ask again; if it persists, check the endpoint and the network between."),
                    name, ex);
            }
        }
        var body = connection.Buffered[..length].ToArray();
        if (!connection.Buffered.Slice(length, 2).SequenceEqual("\r\n"u8))
            throw ClusterConfig.Malformed(name, string.Create(CultureInfo.InvariantCulture, $"the {length} bytes its {form} line announced are not followed by the end of the value (the length does not match the body)"));
        connection.Consume(total);
        var end = await ReadLineAsync(connection, name, "the configuration's END", cancellationToken).ConfigureAwait(false);
        if (end != "END")
            throw ClusterConfig.Malformed(name, $"'{ClusterConfig.Shorten(end)}' follows the configuration where END was expected");
        return ClusterConfig.Parse(body, name);
    }

    /// <summary>The value length of a <c>CONFIG cluster &lt;flags&gt; &lt;bytes&gt;</c> or <c>VALUE &lt;key&gt; &lt;flags&gt; &lt;bytes&gt;</c> line.</summary>
    private static int Header(string line, string verb, string key, string name, string command)
    {
        var parts = line.Split(' ');
        if (parts.Length != 4 || parts[0] != verb || parts[1] != key)
            throw ClusterConfig.Malformed(name, $"it answered '{command}' with '{ClusterConfig.Shorten(line)}' where '{verb} {key} <flags> <bytes>' was expected");
        if (!uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            throw ClusterConfig.Malformed(name, $"the flags or length of '{ClusterConfig.Shorten(line)}' are not numbers");
        if (length > MaxBodyBytes)
            throw ClusterConfig.Malformed(name, string.Create(CultureInfo.InvariantCulture, $"it announces {length} bytes, more than any cluster configuration ({MaxBodyBytes})"));
        return length;
    }

    private static void Refused(string line, string name, string command)
    {
        if (line.StartsWith("CLIENT_ERROR", StringComparison.Ordinal) || line.StartsWith("SERVER_ERROR", StringComparison.Ordinal))
        {
            throw new MemcacheException(MemcacheErrorKind.ServerError, "ClusterConfigRefused",
                $"{name} refused '{command}': {ClusterConfig.Shorten(line)}.", name);
        }
    }

    private static async Task<string> ReadLineAsync(MemcachedConnection connection, string name, string awaiting, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.ReadLineAsync(cancellationToken, maxLength: 4096).ConfigureAwait(false);
        }
        catch (MemcacheException ex) when (ex.ErrorId == "MemcacheConnectionLost")
        {
            throw new MemcacheException(MemcacheErrorKind.ProtocolError, "ClusterReplyTruncated",
                $"{name} closed the connection before answering {awaiting} completely. Check that it is the cluster's configuration (discovery) endpoint and that it is healthy.",
                name, ex);
        }
    }
}
