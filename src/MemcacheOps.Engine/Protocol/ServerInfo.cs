using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Protocol;

/// <summary>What a server said about itself in reply to <c>version</c>, and which features that implies.</summary>
public sealed record ServerInfo(ServerEndpoint Endpoint, string VersionText, Version? Version)
{
    private static readonly Version Meta = new(1, 6, 0);
    private static readonly Version MetadumpHash = new(1, 6, 9);
    private static readonly Version Metadump = new(1, 4, 31);

    /// <summary>Meta commands (mg/ms/md/mn) exist since 1.6.</summary>
    public bool SupportsMetaCommands => Version is null || Version >= Meta;

    /// <summary><c>lru_crawler metadump hash</c> (exact on a live server) exists since 1.6.9.</summary>
    public bool SupportsMetadumpHash => Version is null || Version >= MetadumpHash;

    /// <summary><c>lru_crawler metadump</c> exists since 1.4.31.</summary>
    public bool SupportsMetadump => Version is null || Version >= Metadump;

    /// <summary>Parses "1.6.18" (and suffixed forms such as "1.6.18-custom") into a Version.</summary>
    public static Version? ParseVersion(string text)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
            end++;
        return System.Version.TryParse(text[..end].TrimEnd('.'), out var v) ? v : null;
    }
}

/// <summary>Asks a server for its version, which also proves it speaks memcached's protocol.</summary>
public static class ServerProbe
{
    public static async Task<ServerInfo> ProbeAsync(MemcachedConnection connection, CancellationToken cancellationToken)
    {
        // Opening with a credential already asked 'version' to learn whether the server wants it.
        var line = connection.VersionReplyFromOpening;
        connection.VersionReplyFromOpening = null;
        if (line is null)
        {
            try
            {
                // A server that requires a client certificate may reset the connection at this first write.
                await connection.SendAsync("version\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                connection.BeginReply();
                line = await connection.ReadLineAsync(cancellationToken, maxLength: 1024).ConfigureAwait(false);
            }
            catch (MemcacheException ex) when (ex.ErrorId == "MemcacheConnectionLost" && connection.IsTls && connection.BytesReceived == 0)
            {
                // TLS 1.3 ends the client's handshake before the server has checked the client: a server that
                // requires a client certificate closes the connection at the first command instead.
                throw new MemcacheException(MemcacheErrorKind.ConnectionFailed, "MemcacheTlsRejected",
                    $"Server {connection.Endpoint} closed the TLS connection right after the handshake ({ex.InnerException?.Message ?? "closed"}). It may require a client certificate (memcached -o ssl_ca_cert with ssl_verify_mode): give -TlsClientCertificateFile and -TlsClientKeyFile (--tls-client-certificate-file, --tls-client-key-file).",
                    connection.Endpoint.ToString(), ex);
            }
            catch (MemcacheException ex) when (ex.ErrorId is "MemcacheReadTimeout" or "MemcacheReplyTooSlow")
            {
                throw new MemcacheException(MemcacheErrorKind.NotMemcached, "MemcacheNotResponding",
                    $"Server {connection.Endpoint} accepted the connection but did not answer 'version' within {connection.Options.ReadTimeout.TotalSeconds:0.#} s. Check that this port is memcached and that the server is not stopped or hung.{TlsHint(connection)}",
                    connection.Endpoint.ToString(), ex);
            }
            catch (MemcacheException ex) when (ex.ErrorId == "MemcacheConnectionLost")
            {
                // Reset or closed before a word: a server going down or full (its -c limit), a middlebox cutting
                // the connection, or a TLS port refusing a plain client.
                throw new MemcacheException(MemcacheErrorKind.NotMemcached, "MemcacheNotMemcached",
                    $"Server {connection.Endpoint} closed the connection before answering 'version' ({ex.InnerException?.Message ?? "closed"}). Check that memcached is running and accepting connections on this port (its -c limit, a proxy or firewall in between).{TlsHint(connection)}",
                    connection.Endpoint.ToString(), ex);
            }
            catch (MemcacheException ex) when (ex.Kind == MemcacheErrorKind.NotMemcached)
            {
                throw new MemcacheException(MemcacheErrorKind.NotMemcached, "MemcacheNotMemcached",
                    $"Server {connection.Endpoint} did not answer 'version' like memcached ({ex.Message}). Check the port.{TlsHint(connection)}",
                    connection.Endpoint.ToString(), ex);
            }
            finally
            {
                connection.EndReply();
            }
        }
        if (line == TextAuthentication.Unauthenticated)
            throw TextAuthentication.Required(connection.Endpoint);
        if (!line.StartsWith("VERSION ", StringComparison.Ordinal))
        {
            var shown = line.Length > 60 ? line[..60] + "..." : line;
            throw new MemcacheException(MemcacheErrorKind.NotMemcached, "MemcacheNotMemcached",
                $"Server {connection.Endpoint} answered 'version' with '{shown}', which is not memcached. Check the port.",
                connection.Endpoint.ToString());
        }
        var text = line[8..].Trim();
        return new ServerInfo(connection.Endpoint, text, ServerInfo.ParseVersion(text));
    }

    /// <summary>What to try when a plain connection gets no answer: a TLS port never answers a plain client (it resets or stays silent).</summary>
    private static string TlsHint(MemcachedConnection connection) => connection.IsTls
        ? string.Empty
        : " If the server expects TLS (memcached -Z, ElastiCache with encryption in transit), connect with tls://host:port or -Tls (--tls).";

    /// <summary>Opens a connection and probes it; the caller owns the returned connection.</summary>
    public static async Task<(MemcachedConnection Connection, ServerInfo Info)> ConnectAsync(ServerEndpoint endpoint, ConnectionOptions? options, CancellationToken cancellationToken)
    {
        var connection = await MemcachedConnection.OpenAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        try
        {
            var info = await ProbeAsync(connection, cancellationToken).ConfigureAwait(false);
            return (connection, info);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
