using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// mcrouter's <c>furc_hash</c> (lib/fbi/hash.c), the consistent hash behind its default <c>ch3</c> pools:
/// a key and a pool size m give an index in [0, m). Growing m to m+1 moves about 1/(m+1) of the keys, all
/// of them to the new index m.
/// <para>
/// The algorithm, as published: a stream of pseudo-random bits comes from MurmurHash64A of the key (seed
/// 4193360111) for bits 0-63, then from rehashing the previous 64-bit word for each further 64 bits. With
/// d = ceil(log2 m), each try reads bit a (starting at a = d); while that bit is 0, d shrinks by one and
/// a = d (d reaching 0 gives index 0). Then the index is 1 followed by d-1 bits read 23 positions apart
/// (starting 23 after a); an index below m is the answer, otherwise the next try starts 23 further on.
/// After 32 tries the answer is 0. Bits are read out of order, so the words computed so far are kept.
/// </para>
/// </summary>
internal static class FurcHash
{
    /// <summary>The largest pool furc_hash is defined for (2^23: the bit spacing limits it).</summary>
    public const int MaxPoolSize = 1 << Shift;

    /// <summary>MurmurHash64A seed of the first word, chosen by mcrouter's authors for diffusion.</summary>
    private const uint Seed = 4193360111;

    private const int MaxTries = 32;

    /// <summary>Distance between the bits of one index; also what limits the pool size.</summary>
    private const int Shift = 23;

    private const ulong MurmurMultiplier = 0xc6a4a7935bd1e995UL;
    private const int MurmurShift = 47;

    /// <summary>The starting value of a rehash: the seed XOR the length (8 bytes) times the multiplier, wrapping.</summary>
    private const ulong RehashStart = Seed ^ unchecked(8 * MurmurMultiplier);

    /// <summary>
    /// 64-bit words a lookup in a pool of <paramref name="poolSize"/> can read: d never grows, and each of
    /// the 32 tries moves the bit position at most 23 x d further, so positions stay below d + 32 x 23 x d.
    /// </summary>
    public static int WordsFor(int poolSize)
    {
        var d = Depth((uint)poolSize);
        return ((d + MaxTries * Shift * d) >> 6) + 1;
    }

    /// <summary>Index in [0, <paramref name="poolSize"/>) of <paramref name="key"/>.</summary>
    /// <param name="words">Scratch for the bit stream, at least <see cref="WordsFor"/>(poolSize) long.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Compute(ReadOnlySpan<byte> key, int poolSize, Span<ulong> words)
    {
        var m = (uint)poolSize;
        if (m <= 1)
            return 0;
        var bits = new BitStream(key, words);
        var d = Depth(m);
        var a = d;
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            while (bits.Get(a) == 0)
            {
                if (--d == 0)
                    return 0;
                a = d;
            }
            a += Shift;
            var index = 1u;
            for (var i = 0; i < d - 1; i++)
            {
                index = (index << 1) | bits.Get(a);
                a += Shift;
            }
            if (index < m)
                return (int)index;
        }
        return 0;
    }

    /// <summary>MurmurHash64A (Austin Appleby's MurmurHash2, 64-bit version) of little-endian input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Murmur64A(ReadOnlySpan<byte> key, uint seed)
    {
        var h = seed ^ ((ulong)key.Length * MurmurMultiplier);
        var whole = key.Length & ~7;
        for (var offset = 0; offset < whole; offset += 8)
        {
            var k = BinaryPrimitives.ReadUInt64LittleEndian(key.Slice(offset, 8));
            k *= MurmurMultiplier;
            k ^= k >> MurmurShift;
            k *= MurmurMultiplier;
            h ^= k;
            h *= MurmurMultiplier;
        }
        var tail = key[whole..];
        if (tail.Length > 0)
        {
            // The last 1-7 bytes, little-endian, as one partial word.
            ulong last = 0;
            for (var i = tail.Length - 1; i >= 0; i--)
                last = (last << 8) | tail[i];
            h ^= last;
            h *= MurmurMultiplier;
        }
        h ^= h >> MurmurShift;
        h *= MurmurMultiplier;
        h ^= h >> MurmurShift;
        return h;
    }

    /// <summary>MurmurHash64A of one 8-byte word with the furc seed: how each further word of bits is made.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Rehash(ulong k)
    {
        var h = RehashStart;
        k *= MurmurMultiplier;
        k ^= k >> MurmurShift;
        k *= MurmurMultiplier;
        h ^= k;
        h *= MurmurMultiplier;
        h ^= h >> MurmurShift;
        h *= MurmurMultiplier;
        h ^= h >> MurmurShift;
        return h;
    }

    /// <summary>ceil(log2 m): the smallest d with 2^d >= m.</summary>
    private static int Depth(uint m)
    {
        var d = 0;
        while (m > (1UL << d))
            d++;
        return d;
    }

    /// <summary>The key's bit stream; words are computed on first use and kept, as bits are read out of order.</summary>
    private ref struct BitStream(ReadOnlySpan<byte> key, Span<ulong> words)
    {
        private readonly ReadOnlySpan<byte> _key = key;
        private readonly Span<ulong> _words = words;
        private int _computed;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public uint Get(int position)
        {
            var word = position >> 6;
            if (word >= _computed)
                Extend(word);
            return (uint)(_words[word] >> (position & 63)) & 1;
        }

        private void Extend(int word)
        {
            for (var n = _computed; n <= word; n++)
                _words[n] = n == 0 ? Murmur64A(_key, Seed) : Rehash(_words[n - 1]);
            _computed = word + 1;
        }
    }
}
