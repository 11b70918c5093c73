using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// Values the checks write: each derived from the run's seed and its own key, so two keys never share a
/// value or a prefix of one (unlike a load generator that slices one shared buffer, where a value served under
/// the wrong key of the same length still compares equal), and each can be regenerated to compare with what
/// comes back. Comparisons name the first byte that differs.
/// </summary>
public sealed class TestValues
{
    private readonly ulong _seed;

    public TestValues(ulong? seed = null)
    {
        _seed = seed ?? BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));
    }

    /// <summary>The value of <paramref name="length"/> bytes that belongs to <paramref name="key"/> (any byte values).</summary>
    public byte[] For(string key, int length)
    {
        var value = new byte[length];
        Fill(key, value);
        return value;
    }

    /// <summary>SHA-256 of <see cref="For"/>, for checks that keep only checksums of what they wrote.</summary>
    public byte[] Checksum(string key, int length) => SHA256.HashData(For(key, length));

    private void Fill(string key, Span<byte> destination)
    {
        // SplitMix64 seeded by the run seed and an FNV-1a hash of the key: cheap, and different for every key.
        var state = _seed ^ Fnv1a(key);
        var i = 0;
        while (i < destination.Length)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            for (var b = 0; b < 8 && i < destination.Length; b++, i++)
                destination[i] = (byte)(z >> (8 * b));
        }
    }

    private static ulong Fnv1a(string key)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in Encoding.Latin1.GetBytes(key))
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }

    /// <summary>Null when equal; otherwise where and how <paramref name="actual"/> differs from <paramref name="expected"/>.</summary>
    public static string? Difference(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        var c = CultureInfo.InvariantCulture;
        var common = expected.CommonPrefixLength(actual);
        if (common == expected.Length && common == actual.Length)
            return null;
        if (actual.Length != expected.Length && common == Math.Min(actual.Length, expected.Length))
            return string.Create(c, $"{actual.Length:N0} bytes instead of {expected.Length:N0}");
        var lengths = actual.Length == expected.Length
            ? string.Create(c, $"of {expected.Length:N0}")
            : string.Create(c, $"({actual.Length:N0} bytes instead of {expected.Length:N0})");
        return string.Create(c, $"byte {common:N0} {lengths} differs: 0x{actual[common]:X2} instead of 0x{expected[common]:X2}");
    }
}
