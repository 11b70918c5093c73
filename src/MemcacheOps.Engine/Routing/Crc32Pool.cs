using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// An mcrouter pool with <c>hash: crc32</c>: (crc32(routing key + salt) &amp; 0x7fffffff) modulo the number
/// of servers. Not consistent: growing the pool moves most keys.
/// </summary>
public sealed class Crc32Pool(IReadOnlyList<ServerEndpoint> servers, string? hashSalt = null) : McrouterPool(servers, hashSalt)
{
    public override RingForm Form => RingForm.Crc32;

    protected override int Select(ReadOnlySpan<byte> hashable)
        => (int)((Crc32Hash.Compute(hashable) & 0x7fffffff) % (uint)Servers.Count);
}
