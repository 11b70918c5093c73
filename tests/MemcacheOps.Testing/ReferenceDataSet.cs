using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace MemcacheOps.Testing;

/// <summary>
/// The project's deterministic reference data set (shared/data/dataset.md): every property of item
/// <c>n</c> is a pure function of (seed, n), so tests and benchmarks regenerate it bit for bit without
/// python. Bulk callers use the span-writing members, which do not allocate.
/// </summary>
/// <remarks>
/// Definition, for n in [start, start + count):
/// key = "key:&lt;n&gt;"; h = SHA-256("size:&lt;seed&gt;:&lt;n&gt;"); octave = BE64(h[0..8]) % 11;
/// lo = 10 &lt;&lt; octave; hi = 10 &lt;&lt; (octave + 1), or 20481 for the last octave;
/// size = lo + BE64(h[8..16]) % (hi - lo); value = SHAKE-256("val:&lt;seed&gt;:&lt;n&gt;") truncated to size;
/// flags = n % 65536; exptime = 0 for even n, 3600 for odd n.
/// </remarks>
public static class ReferenceDataSet
{
    public const int DefaultSeed = 20240601;

    /// <summary>Default item count used by the benchmarks (dataset.md's totals are for this count).</summary>
    public const int DefaultCount = 200_000;

    public const int MinValueSize = 10;

    public const int MaxValueSize = 20480;

    /// <summary>TTL in seconds given to odd items; even items never expire.</summary>
    public const int OddItemTtlSeconds = 3600;

    /// <summary>Longest key: "key:" plus a 19-digit long.</summary>
    public const int MaxKeyLength = 4 + 20;

    private const int Octaves = 11;

    /// <summary>"size:" / "val:" + seed (11 chars with sign) + ":" + n (20 chars with sign).</summary>
    private const int MaxHashInputLength = 5 + 11 + 1 + 20;

    /// <summary>Throws a clear error when SHAKE-256 (needed for the values) is missing on this platform.</summary>
    public static void EnsureSupported()
    {
        if (!Shake256.IsSupported)
            throw new PlatformNotSupportedException(
                "SHAKE-256 is not supported on this platform, so the reference data set's values cannot be generated. " +
                "On Linux it needs OpenSSL 1.1.1 or later (apt-get install libssl3).");
    }

    /// <summary>Writes "key:&lt;n&gt;" into <paramref name="destination"/> and returns its length.</summary>
    public static int WriteKey(long n, Span<byte> destination)
    {
        "key:"u8.CopyTo(destination);
        if (!Utf8Formatter.TryFormat(n, destination[4..], out var digits))
            throw new ArgumentException("Destination is too small for the key.", nameof(destination));
        return 4 + digits;
    }

    /// <summary>The key of item <paramref name="n"/> as a new array (convenience for tests).</summary>
    public static byte[] Key(long n)
    {
        Span<byte> buffer = stackalloc byte[MaxKeyLength];
        return buffer[..WriteKey(n, buffer)].ToArray();
    }

    /// <summary>Value length of item <paramref name="n"/>: 10..20480 bytes, uniform over 11 octaves.</summary>
    public static int ValueSize(long n, int seed = DefaultSeed)
    {
        Span<byte> input = stackalloc byte[MaxHashInputLength];
        var length = WriteHashInput("size:"u8, seed, n, input);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..length], hash);
        var octave = (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % Octaves);
        var lo = 10UL << octave;
        var hi = octave < Octaves - 1 ? 10UL << (octave + 1) : MaxValueSize + 1UL;
        return (int)(lo + BinaryPrimitives.ReadUInt64BigEndian(hash[8..]) % (hi - lo));
    }

    /// <summary>
    /// Writes the value of item <paramref name="n"/> into <paramref name="destination"/>, whose length must
    /// be exactly <see cref="ValueSize"/> (SHAKE-256 output is a prefix-stable stream, so the length
    /// selects the truncation).
    /// </summary>
    public static void WriteValue(long n, Span<byte> destination, int seed = DefaultSeed)
    {
        EnsureSupported();
        Span<byte> input = stackalloc byte[MaxHashInputLength];
        var length = WriteHashInput("val:"u8, seed, n, input);
        Shake256.HashData(input[..length], destination);
    }

    public static uint Flags(long n) => (uint)(n % 65536);

    /// <summary>Exptime as stored: 0 (never) for even n, <see cref="OddItemTtlSeconds"/> for odd n.</summary>
    public static int ExpirySeconds(long n) => n % 2 == 0 ? 0 : OddItemTtlSeconds;

    /// <summary>One item with freshly allocated key and value (for tests; bulk code uses the span writers).</summary>
    public static DataSetItem Item(long n, int seed = DefaultSeed)
    {
        var value = new byte[ValueSize(n, seed)];
        WriteValue(n, value, seed);
        return new DataSetItem(n, Key(n), value, Flags(n), ExpirySeconds(n));
    }

    /// <summary>Totals for items [start, start + count); needs only the sizes, so it is cheap.</summary>
    public static DataSetTotals Totals(long start, long count, int seed = DefaultSeed)
    {
        long valueBytes = 0, keyBytes = 0, withoutExpiry = 0;
        Span<byte> key = stackalloc byte[MaxKeyLength];
        for (var n = start; n < start + count; n++)
        {
            valueBytes += ValueSize(n, seed);
            keyBytes += WriteKey(n, key);
            if (ExpirySeconds(n) == 0)
                withoutExpiry++;
        }
        return new DataSetTotals(count, valueBytes, keyBytes, withoutExpiry);
    }

    private static int WriteHashInput(ReadOnlySpan<byte> prefix, int seed, long n, Span<byte> destination)
    {
        prefix.CopyTo(destination);
        var written = prefix.Length;
        Utf8Formatter.TryFormat(seed, destination[written..], out var seedDigits);
        written += seedDigits;
        destination[written++] = (byte)':';
        Utf8Formatter.TryFormat(n, destination[written..], out var nDigits);
        return written + nDigits;
    }
}

/// <summary>One reference item. <see cref="ExpirySeconds"/> is the relative TTL (0 = never expires).</summary>
public sealed record DataSetItem(long Index, byte[] Key, byte[] Value, uint Flags, int ExpirySeconds);

/// <summary>Totals of a range of the reference data set.</summary>
public readonly record struct DataSetTotals(long Items, long ValueBytes, long KeyBytes, long ItemsWithoutExpiry);
