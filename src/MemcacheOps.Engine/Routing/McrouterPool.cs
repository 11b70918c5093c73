using System.Buffers;
using System.Globalization;
using System.Text;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// What every mcrouter pool form shares: the ordered server list, the routing-key rules
/// (<see cref="McrouterRoutingKey"/>) and the pool's <c>hash_salt</c>, appended to the routing key before
/// hashing. Each form (<see cref="Ch3Pool"/>, <see cref="Crc32Pool"/>, <see cref="WeightedCh3Pool"/>) only
/// says how the hashed bytes pick an index. Lookups allocate nothing: the salted key is built on the stack.
/// </summary>
public abstract class McrouterPool : IOwnerLookup
{
    /// <summary>Salted keys up to this size are built on the stack; longer ones (a very long salt) in a pooled buffer.</summary>
    private const int StackLimit = 512;

    private readonly ServerEndpoint[] _servers;
    private readonly byte[] _salt;

    protected McrouterPool(IReadOnlyList<ServerEndpoint> servers, string? hashSalt)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = [.. servers];
        _salt = string.IsNullOrEmpty(hashSalt) ? [] : Encoding.UTF8.GetBytes(hashSalt);
        HashSalt = string.IsNullOrEmpty(hashSalt) ? null : hashSalt;
    }

    public abstract RingForm Form { get; }

    public IReadOnlyList<ServerEndpoint> Servers => _servers;

    /// <summary>The pool's hash_salt, or null.</summary>
    public string? HashSalt { get; }

    public string Description => HashSalt is null
        ? string.Create(CultureInfo.InvariantCulture, $"{Form} pool of {_servers.Length} servers")
        : string.Create(CultureInfo.InvariantCulture, $"{Form} pool of {_servers.Length} servers, hash salt '{HashSalt}'");

    public int GetOwnerIndex(ReadOnlySpan<byte> key)
    {
        var routingKey = McrouterRoutingKey.Of(key);
        if (_salt.Length == 0)
            return Select(routingKey);
        var length = routingKey.Length + _salt.Length;
        if (length <= StackLimit)
        {
            Span<byte> salted = stackalloc byte[length];
            return Select(Salt(routingKey, salted));
        }
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            return Select(Salt(routingKey, rented));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The index the form gives to <paramref name="hashable"/> (the routing key with the salt appended).</summary>
    protected abstract int Select(ReadOnlySpan<byte> hashable);

    private ReadOnlySpan<byte> Salt(ReadOnlySpan<byte> routingKey, Span<byte> buffer)
    {
        routingKey.CopyTo(buffer);
        _salt.CopyTo(buffer[routingKey.Length..]);
        return buffer[..(routingKey.Length + _salt.Length)];
    }
}
