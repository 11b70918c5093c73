using System.Text;

namespace MemcacheOps.Engine.Connections;

/// <summary>
/// memcached's text-protocol authentication (<c>memcached -Y &lt;file&gt;</c>, 1.5.15 and later): the first
/// command of a connection is <c>set &lt;any key&gt; 0 0 &lt;len&gt;\r\n&lt;user&gt; &lt;password&gt;\r\n</c>,
/// answered <c>STORED</c> or <c>CLIENT_ERROR authentication failure</c>. On a server without <c>-Y</c> that
/// command would store a real item, so the server is asked <c>version</c> first: only a server that answers
/// <c>CLIENT_ERROR unauthenticated</c> is sent the credential.
/// </summary>
internal static class TextAuthentication
{
    /// <summary>What memcached answers every command of a connection that has not authenticated.</summary>
    public const string Unauthenticated = "CLIENT_ERROR unauthenticated";

    private const string Failure = "CLIENT_ERROR authentication failure";

    /// <summary>The "key" of the authentication command; memcached ignores it.</summary>
    private const string CommandKey = "memcacheops";

    public static async Task AuthenticateAsync(MemcachedConnection connection, MemcacheCredential credential, CancellationToken cancellationToken)
    {
        var endpoint = connection.Endpoint;
        await connection.SendAsync("version\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        var reply = await ReadReplyAsync(connection, cancellationToken).ConfigureAwait(false);
        if (reply != Unauthenticated)
        {
            // No authentication asked for (or not memcached at all): the probe reads this reply as its own.
            connection.VersionReplyFromOpening = reply;
            return;
        }
        var payload = Encoding.UTF8.GetBytes(credential.UserName + " " + credential.Password);
        var header = Encoding.ASCII.GetBytes(FormattableString.Invariant($"set {CommandKey} 0 0 {payload.Length}\r\n"));
        var command = new byte[header.Length + payload.Length + 2];
        header.CopyTo(command, 0);
        payload.CopyTo(command, header.Length);
        command[^2] = (byte)'\r';
        command[^1] = (byte)'\n';
        try
        {
            await connection.SendAsync(command, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The password does not stay in memory longer than the send.
            Array.Clear(command);
            Array.Clear(payload);
        }
        reply = await ReadReplyAsync(connection, cancellationToken).ConfigureAwait(false);
        if (reply == "STORED")
        {
            connection.MarkAuthenticated(credential.UserName);
            return;
        }
        if (reply == Failure)
            throw new MemcacheException(MemcacheErrorKind.AccessDenied, "MemcacheAuthenticationFailed",
                $"Server {endpoint} refused the password of user '{credential.UserName}' (memcached -Y authentication failed). Check the user name and password against the server's -Y file.",
                endpoint.ToString());
        throw new MemcacheException(MemcacheErrorKind.ProtocolError, "MemcacheAuthenticationFailed",
            $"Server {endpoint} answered the authentication of user '{credential.UserName}' with '{Show(reply)}' instead of STORED.",
            endpoint.ToString());
    }

    /// <summary>The error for a server that asks for authentication when no credential was given.</summary>
    public static MemcacheException Required(Endpoints.ServerEndpoint endpoint)
        => new(MemcacheErrorKind.AccessDenied, "MemcacheAuthenticationRequired",
            $"Server {endpoint} requires authentication (memcached -Y): give -Credential (CLI: --username with --password-file, or the password in MEMCACHEOPS_PASSWORD).",
            endpoint.ToString());

    private static async Task<string> ReadReplyAsync(MemcachedConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.ReadLineAsync(cancellationToken, maxLength: 1024).ConfigureAwait(false);
        }
        catch (MemcacheException ex) when (ex.ErrorId == "MemcacheReadTimeout")
        {
            throw new MemcacheException(MemcacheErrorKind.NotMemcached, "MemcacheNotResponding",
                $"Server {connection.Endpoint} accepted the connection but did not answer within {connection.Options.ReadTimeout.TotalSeconds:0.#} s. Check that this port is memcached{(connection.IsTls ? string.Empty : ", and whether it expects TLS (tls://host:port or -Tls)")}.",
                connection.Endpoint.ToString(), ex);
        }
    }

    private static string Show(string reply) => reply.Length > 60 ? reply[..60] + "..." : reply;
}
