using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MemcacheOps.Engine.Endpoints;

/// <summary>
/// A memcached server address: <c>host</c>, <c>host:port</c> or <c>[v6addr]:port</c>; port defaults to 11211.
/// A <c>tls://</c> prefix asks for TLS on the connections to this server (see <see cref="Tls"/>).
/// The canonical text form (<see cref="ToString"/>) is what results report, so it is defined here once
/// instead of relying on <see cref="EndPoint.ToString"/>; rings hash <see cref="Host"/> and <see cref="Port"/>.
/// Two endpoints are equal when host and port are: a port either speaks TLS or not, so the scheme is not
/// part of a server's identity.
/// </summary>
public sealed class ServerEndpoint : IEquatable<ServerEndpoint>
{
    public const int DefaultPort = 11211;

    /// <summary>The prefix of a server string that asks for TLS.</summary>
    public const string TlsScheme = "tls://";

    public ServerEndpoint(string host, int port, bool tls = false)
    {
        if (string.IsNullOrWhiteSpace(host))
            throw new ArgumentException("Host must not be empty.", nameof(host));
        if (port is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(port), port, "Port must be between 1 and 65535.");
        Host = host;
        Port = port;
        Tls = tls;
    }

    /// <summary>Host name or IP address as the user wrote it (IPv6 without brackets).</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>True when the server string said <c>tls://</c>: connections to it use TLS whatever the connection options say.</summary>
    public bool Tls { get; }

    /// <summary><c>host:port</c> (or <c>[v6]:port</c>) without the scheme.</summary>
    public string Address => IsIPv6Literal
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <summary>True when <see cref="Host"/> is an IPv6 literal, which needs brackets in text form.</summary>
    public bool IsIPv6Literal => Host.Contains(':', StringComparison.Ordinal);

    /// <summary>Parses one server string; throws <see cref="MemcacheException"/> with id InvalidServer when malformed.</summary>
    public static ServerEndpoint Parse(string text)
    {
        if (TryParse(text, out var endpoint, out var problem))
            return endpoint;
        throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidServer",
            $"'{text}' is not a server address: {problem}. Use host, host:port or [IPv6]:port (default port {DefaultPort}), with tls:// in front for TLS.",
            text);
    }

    /// <summary>Parses a list where each element may itself be comma-separated ("a:1,b:2").</summary>
    public static IReadOnlyList<ServerEndpoint> ParseList(IEnumerable<string> texts)
    {
        var list = new List<ServerEndpoint>();
        foreach (var text in texts)
        {
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                list.Add(Parse(part));
        }
        return list;
    }

    public static bool TryParse(string? text, out ServerEndpoint endpoint, out string problem)
    {
        endpoint = null!;
        problem = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "it is empty";
            return false;
        }
        var s = text.Trim();
        var tls = false;
        if (s.StartsWith(TlsScheme, StringComparison.OrdinalIgnoreCase))
        {
            tls = true;
            s = s[TlsScheme.Length..];
            if (s.Length == 0)
            {
                problem = "nothing follows tls://";
                return false;
            }
        }
        else if (s.Contains("://", StringComparison.Ordinal))
        {
            problem = $"'{s[..s.IndexOf("://", StringComparison.Ordinal)]}://' is not a known scheme (only tls:// is)";
            return false;
        }
        string host;
        var port = DefaultPort;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                problem = "the '[' of an IPv6 address is not closed";
                return false;
            }
            host = s[1..close];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = $"'{host}' is not an IPv6 address";
                return false;
            }
            var rest = s[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':' || !TryParsePort(rest[1..], out port))
                {
                    problem = $"'{rest}' after the IPv6 address is not ':<port>'";
                    return false;
                }
            }
        }
        else
        {
            var colons = s.Count(c => c == ':');
            if (colons > 1)
            {
                problem = "an IPv6 address needs brackets, as in [::1]:11211";
                return false;
            }
            if (colons == 1)
            {
                var i = s.IndexOf(':', StringComparison.Ordinal);
                host = s[..i];
                if (!TryParsePort(s[(i + 1)..], out port))
                {
                    problem = $"'{s[(i + 1)..]}' is not a port number (1-65535)";
                    return false;
                }
            }
            else
            {
                host = s;
            }
            if (host.Length == 0)
            {
                problem = "the host is empty";
                return false;
            }
            foreach (var c in host)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
                {
                    problem = $"the host '{host}' contains '{c}'";
                    return false;
                }
            }
        }
        endpoint = new ServerEndpoint(host, port, tls);
        return true;
    }

    private static bool TryParsePort(string text, out int port)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    /// <summary>Resolves the host to the addresses to try, IPv4 first for "localhost"-style names.</summary>
    public async Task<IPAddress[]> ResolveAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(Host, out var literal))
            return [literal];
        var addresses = await Dns.GetHostAddressesAsync(Host, cancellationToken).ConfigureAwait(false);
        return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).ToArray();
    }

    /// <summary><c>host:port</c>, with <c>tls://</c> in front for a TLS server, so the text parses back to the same endpoint.</summary>
    public override string ToString() => Tls ? TlsScheme + Address : Address;

    /// <summary>The same server with TLS asked for.</summary>
    public ServerEndpoint WithTls() => Tls ? this : new ServerEndpoint(Host, Port, tls: true);

    public bool Equals(ServerEndpoint? other)
        => other is not null && Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => Equals(obj as ServerEndpoint);

    public override int GetHashCode() => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port);
}
