using System.Buffers;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// An mcrouter pool with <c>hash: WeightedCh3</c> ("wch3") and a weight in [0, 1] per server. Up to 32
/// times: the ch3 index of the key is taken when SpookyHash V2 (seed 0xface2014) of the same bytes is below
/// that server's weight x 2^32-1; otherwise the key is rehashed with a counter appended to the routing key
/// plus salt (0, 1, ... 9, 01, 11, ...: the decimal digits least significant first). After 32 refusals
/// the last index stands. With every weight 1 this places keys exactly as <see cref="Ch3Pool"/>.
/// </summary>
public sealed class WeightedCh3Pool : McrouterPool
{
    private const int Tries = 32;
    private const uint AcceptanceSeed = 0xface2014;

    /// <summary>Keys with their counter appended are built on the stack up to this size.</summary>
    private const int StackLimit = 512;

    /// <summary>The counter's digits: at most two for 32 tries.</summary>
    private const int CounterDigits = 2;

    private readonly ulong[] _limits;
    private readonly int _words;

    public WeightedCh3Pool(IReadOnlyList<ServerEndpoint> servers, IReadOnlyList<double> weights, string? hashSalt = null)
        : base(servers, hashSalt)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != Servers.Count)
            throw new ArgumentException("One weight per server is needed.", nameof(weights));
        Weights = [.. weights];
        // mcrouter converts weight x UINT32_MAX to a 64-bit integer (truncating) and accepts values below it.
        _limits = [.. weights.Select(w => (ulong)(w * uint.MaxValue))];
        _words = FurcHash.WordsFor(Servers.Count);
    }

    public override RingForm Form => RingForm.WeightedCh3;

    /// <summary>The weight of each server, in server order.</summary>
    public IReadOnlyList<double> Weights { get; }

    protected override int Select(ReadOnlySpan<byte> hashable)
    {
        var length = hashable.Length + CounterDigits;
        if (length <= StackLimit)
        {
            Span<byte> buffer = stackalloc byte[length];
            return Select(hashable, buffer);
        }
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            return Select(hashable, rented);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private int Select(ReadOnlySpan<byte> original, Span<byte> buffer)
    {
        Span<ulong> words = stackalloc ulong[_words];
        var count = Servers.Count;
        var key = original;
        var index = 0;
        original.CopyTo(buffer);
        for (var attempt = 0; attempt < Tries; attempt++)
        {
            index = FurcHash.Compute(key, count, words);
            if (SpookyHashV2.Hash32(key, AcceptanceSeed) < _limits[index])
                return index;
            // Refused by weight: rehash with the attempt number appended, least significant digit first.
            var length = original.Length;
            var counter = attempt;
            do
            {
                buffer[length++] = (byte)('0' + counter % 10);
                counter /= 10;
            }
            while (counter > 0);
            key = buffer[..length];
        }
        return index;
    }
}
