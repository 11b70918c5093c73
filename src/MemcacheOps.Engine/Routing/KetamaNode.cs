using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// One server on a ketama ring: the address keys are sent to, plus what changes the string its
/// points are hashed from. Text forms: <c>host[:port]</c>, <c>name/ip:port</c> (a client that knew
/// the server by a host name; Java's <c>InetSocketAddress</c> text) and <c>/ip:port</c> (a client that
/// knew no name).
/// </summary>
public sealed class KetamaNode
{
    public KetamaNode(ServerEndpoint endpoint, string? name = null, int weight = 1)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (name is not null && (name.Any(char.IsWhiteSpace) || name.Contains('/', StringComparison.Ordinal)))
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidServerName",
                $"The ring name '{name}' of server {endpoint} contains a space or '/'. Give the name as written in the client configuration, e.g. cache-a.example.com/10.0.0.1:11211.",
                endpoint.ToString());
        }
        if (weight < 1)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidServerWeight",
                $"Server {endpoint} has ring weight {weight}; weights must be 1 or more.",
                endpoint.ToString());
        }
        Endpoint = endpoint;
        Name = name;
        Weight = weight;
    }

    /// <summary>Where the server is reached; also what <see cref="KetamaRing.GetOwner"/> reports.</summary>
    public ServerEndpoint Endpoint { get; }

    /// <summary>
    /// The name the client knew the server by: null when none was given (each form then uses its
    /// default), empty for an explicit "no name" (<c>/ip:port</c>), otherwise the name.
    /// </summary>
    public string? Name { get; }

    /// <summary>Relative share of ring points; only the libmemcached form uses weights.</summary>
    public int Weight { get; }

    /// <summary>Parses <c>host[:port]</c>, <c>name/ip:port</c> or <c>/ip:port</c>, each optionally after <c>tls://</c>.</summary>
    public static KetamaNode Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidServer",
                "A ring server is empty. Use host:port, name/ip:port or /ip:port.", text);
        }
        var trimmed = text.Trim();
        // tls:// belongs to the address (how to connect), not to the ring name: tls://name/ip:port.
        var tls = trimmed.StartsWith(ServerEndpoint.TlsScheme, StringComparison.OrdinalIgnoreCase);
        if (tls)
            trimmed = trimmed[ServerEndpoint.TlsScheme.Length..];
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return new KetamaNode(ServerEndpoint.Parse(tls ? ServerEndpoint.TlsScheme + trimmed : trimmed));
        if (trimmed.IndexOf('/', slash + 1) >= 0)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidServer",
                $"'{text}' is not a ring server: it has more than one '/'. Use host:port, name/ip:port or /ip:port.", text);
        }
        var address = trimmed[(slash + 1)..];
        if (!ServerEndpoint.TryParse(address, out var endpoint, out var problem))
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidServer",
                $"'{text}' is not a ring server: the address after '/' is invalid ({problem}). Use host:port, name/ip:port or /ip:port.", text);
        }
        return new KetamaNode(tls ? endpoint.WithTls() : endpoint, trimmed[..slash]);
    }

    /// <summary>Parses a list where each element may itself be comma-separated.</summary>
    public static IReadOnlyList<KetamaNode> ParseList(IEnumerable<string> texts)
    {
        var list = new List<KetamaNode>();
        foreach (var text in texts)
        {
            foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                list.Add(Parse(part));
        }
        return list;
    }

    /// <summary>The string each digest of this server hashes before its <c>-&lt;index&gt;</c> suffix (see <see cref="KetamaForm"/>).</summary>
    public string GetHashBase(KetamaForm form) => KetamaRules.For(form).HashBase(this);

    public override string ToString() => Name is null
        ? Endpoint.ToString()
        : (Endpoint.Tls ? ServerEndpoint.TlsScheme : string.Empty) + $"{Name}/{Endpoint.Address}";
}
