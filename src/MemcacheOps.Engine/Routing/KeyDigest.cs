using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// MD5 (RFC 1321) of a short input, computed in managed code. Ketama routing and the move's key
/// identities hash every listed key, and a key is at most 250 bytes: for inputs that small the
/// platform's MD5 spends several times longer crossing into the native library and setting up a
/// digest context than hashing (measured: most of the move's per-key CPU), while this needs no
/// allocation, no native call and no state. Not for security: MD5 is used here only because the
/// clients' ketama rings are defined with it.
/// </summary>
internal static class KeyDigest
{
    /// <summary>Per-step additive constants: floor(|sin(i + 1)| * 2^32), as RFC 1321 tabulates them.</summary>
    private static ReadOnlySpan<uint> K =>
    [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ];

    /// <summary>Writes the 16-byte MD5 digest of <paramref name="input"/> to <paramref name="digest"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(ReadOnlySpan<byte> input, Span<byte> digest)
    {
        uint a = 0x67452301, b = 0xefcdab89, c = 0x98badcfe, d = 0x10325476;
        var whole = input.Length & ~63;
        for (var offset = 0; offset < whole; offset += 64)
            Transform(input.Slice(offset, 64), ref a, ref b, ref c, ref d);

        // The tail, the 0x80 terminator and the bit length fill one block, or two when fewer than
        // 9 bytes are left after the tail.
        Span<byte> last = stackalloc byte[128];
        last.Clear();
        var tail = input[whole..];
        tail.CopyTo(last);
        last[tail.Length] = 0x80;
        var blocks = tail.Length < 56 ? 1 : 2;
        BinaryPrimitives.WriteUInt64LittleEndian(last.Slice(blocks * 64 - 8), (ulong)input.Length << 3);
        for (var i = 0; i < blocks; i++)
            Transform(last.Slice(i * 64, 64), ref a, ref b, ref c, ref d);

        BinaryPrimitives.WriteUInt32LittleEndian(digest, a);
        BinaryPrimitives.WriteUInt32LittleEndian(digest[4..], b);
        BinaryPrimitives.WriteUInt32LittleEndian(digest[8..], c);
        BinaryPrimitives.WriteUInt32LittleEndian(digest[12..], d);
    }

    /// <summary>The ketama hash of a key: the little-endian uint32 of the first four bytes of MD5(key).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint KetamaHash(ReadOnlySpan<byte> key)
    {
        Span<byte> digest = stackalloc byte[16];
        Compute(key, digest);
        return BinaryPrimitives.ReadUInt32LittleEndian(digest);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transform(ReadOnlySpan<byte> block, ref uint a0, ref uint b0, ref uint c0, ref uint d0)
    {
        Span<uint> m = stackalloc uint[16];
        for (var i = 0; i < 16; i++)
            m[i] = BinaryPrimitives.ReadUInt32LittleEndian(block.Slice(i * 4, 4));
        var k = K;
        uint a = a0, b = b0, c = c0, d = d0;
        for (var i = 0; i < 64; i++)
        {
            uint f;
            int g, s;
            switch (i >> 4)
            {
                case 0:
                    f = (b & c) | (~b & d);
                    g = i;
                    s = (i & 3) switch { 0 => 7, 1 => 12, 2 => 17, _ => 22 };
                    break;
                case 1:
                    f = (d & b) | (~d & c);
                    g = (5 * i + 1) & 15;
                    s = (i & 3) switch { 0 => 5, 1 => 9, 2 => 14, _ => 20 };
                    break;
                case 2:
                    f = b ^ c ^ d;
                    g = (3 * i + 5) & 15;
                    s = (i & 3) switch { 0 => 4, 1 => 11, 2 => 16, _ => 23 };
                    break;
                default:
                    f = c ^ (b | ~d);
                    g = (7 * i) & 15;
                    s = (i & 3) switch { 0 => 6, 1 => 10, 2 => 15, _ => 21 };
                    break;
            }
            var rotated = BitOperations.RotateLeft(a + f + k[i] + m[g], s);
            a = d;
            d = c;
            c = b;
            b += rotated;
        }
        a0 += a;
        b0 += b;
        c0 += c;
        d0 += d;
    }
}
