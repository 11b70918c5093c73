using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// An mcrouter pool with <c>hash: ch3</c>, mcrouter's default: furc_hash (<see cref="FurcHash"/>) of the
/// routing key plus salt, over the number of servers, is the index of the owner in the pool's list.
/// </summary>
public sealed class Ch3Pool : McrouterPool
{
    private readonly int _words;

    public Ch3Pool(IReadOnlyList<ServerEndpoint> servers, string? hashSalt = null)
        : base(servers, hashSalt)
    {
        _words = FurcHash.WordsFor(Servers.Count);
    }

    public override RingForm Form => RingForm.Ch3;

    protected override int Select(ReadOnlySpan<byte> hashable)
    {
        Span<ulong> words = stackalloc ulong[_words];
        return FurcHash.Compute(hashable, Servers.Count, words);
    }
}
