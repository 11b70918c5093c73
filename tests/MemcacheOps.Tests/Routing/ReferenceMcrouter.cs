namespace MemcacheOps.Tests.Routing;

/// <summary>
/// mcrouter's pool hashes written plainly from their published descriptions (mcrouter's lib/fbi/hash.c,
/// Ch3HashFunc, Crc32HashFunc, WeightedCh3HashFunc, and the key syntax page), independently of the
/// engine's optimised code: words of the bit stream in a growing list, bytes assembled one at a time, the
/// CRC bit by bit. The tests compare the engine with this over many random keys and pool sizes; fixed
/// vectors from mcrouter's own C code pin both.
/// </summary>
internal static class ReferenceMcrouter
{
    private const ulong M = 0xc6a4a7935bd1e995UL;
    private const uint Seed = 4193360111;

    public static ulong Murmur64A(byte[] key, ulong seed)
    {
        var h = seed ^ unchecked((ulong)key.Length * M);
        var blocks = key.Length / 8;
        for (var b = 0; b < blocks; b++)
        {
            ulong k = 0;
            for (var i = 7; i >= 0; i--)
                k = (k << 8) | key[b * 8 + i];
            k = unchecked(k * M);
            k ^= k >> 47;
            k = unchecked(k * M);
            h ^= k;
            h = unchecked(h * M);
        }
        var rest = key.Length % 8;
        if (rest > 0)
        {
            for (var i = rest - 1; i >= 0; i--)
                h ^= (ulong)key[blocks * 8 + i] << (8 * i);
            h = unchecked(h * M);
        }
        h ^= h >> 47;
        h = unchecked(h * M);
        h ^= h >> 47;
        return h;
    }

    /// <summary>furc_hash: the bit stream is MurmurHash64A of the key, then of each previous 64-bit word.</summary>
    public static int Furc(byte[] key, int m)
    {
        if (m <= 1)
            return 0;
        var words = new List<ulong>();
        uint Bit(int index)
        {
            while (words.Count <= index / 64)
            {
                words.Add(words.Count == 0
                    ? Murmur64A(key, Seed)
                    : Murmur64A(BitConverter.GetBytes(words[^1]), Seed)); // little-endian machine, as mcrouter's
            }
            return (uint)(words[index / 64] >> (index % 64)) & 1;
        }
        var d = 0;
        while ((1L << d) < m)
            d++;
        var a = d;
        for (var attempt = 0; attempt < 32; attempt++)
        {
            while (Bit(a) == 0)
            {
                d--;
                if (d == 0)
                    return 0;
                a = d;
            }
            a += 23;
            var number = 1L;
            for (var i = 0; i < d - 1; i++)
            {
                number = number * 2 + Bit(a);
                a += 23;
            }
            if (number < m)
                return (int)number;
        }
        return 0;
    }

    public static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) == 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>The routing key: without a /a/b/ routing prefix, up to a |#| hash stop.</summary>
    public static byte[] RoutingKey(byte[] key)
    {
        var start = 0;
        if (key.Length > 0 && key[0] == '/')
        {
            var slashes = 0;
            for (var i = 1; i < key.Length; i++)
            {
                if (key[i] != '/')
                    continue;
                if (++slashes == 2)
                {
                    start = i + 1;
                    break;
                }
            }
        }
        var end = key.Length;
        for (var i = start; i + 2 < key.Length; i++)
        {
            if (key[i] == '|' && key[i + 1] == '#' && key[i + 2] == '|')
            {
                end = i;
                break;
            }
        }
        return key[start..end];
    }

    public static byte[] Hashable(byte[] key, string? salt)
        => [.. RoutingKey(key), .. System.Text.Encoding.UTF8.GetBytes(salt ?? string.Empty)];

    public static int Ch3(byte[] key, int servers, string? salt = null) => Furc(Hashable(key, salt), servers);

    public static int Crc32Pool(byte[] key, int servers, string? salt = null)
        => (int)((Crc32(Hashable(key, salt)) & 0x7fffffff) % (uint)servers);

    /// <summary>WeightedCh3HashFunc: accept the ch3 index when SpookyHash32 (seed 0xface2014) is below weight x UINT32_MAX, else retry with a counter appended.</summary>
    public static int WeightedCh3(byte[] key, double[] weights, string? salt, Func<byte[], uint, uint> spooky32)
    {
        var original = Hashable(key, salt);
        var current = original;
        var index = 0;
        for (var attempt = 0; attempt < 32; attempt++)
        {
            index = Furc(current, weights.Length);
            var limit = (ulong)(weights[index] * uint.MaxValue);
            if (spooky32(current, 0xface2014) < limit)
                return index;
            var digits = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture).Reverse().Select(c => (byte)c).ToArray();
            current = [.. original, .. digits];
        }
        return index;
    }

    /// <summary>A set of keys a test can reuse: text and binary, 1 to 250 bytes, some with routing prefixes and hash stops.</summary>
    public static List<byte[]> Keys(int count, int seed)
    {
        var random = new Random(seed);
        var keys = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var length = i % 10 == 0 ? 250 : random.Next(1, 251);
            var key = new byte[length];
            if (i % 3 == 0)
            {
                random.NextBytes(key);
            }
            else
            {
                for (var b = 0; b < length; b++)
                    key[b] = (byte)random.Next(0x21, 0x7F);
            }
            if (i % 7 == 0 && length > 12)
                "/r1/c2/"u8.CopyTo(key);
            if (i % 11 == 0 && length > 10)
                "|#|"u8.CopyTo(key.AsSpan(length / 2));
            keys.Add(key);
        }
        return keys;
    }
}
