using System.Buffers.Binary;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// The value written for each (key, version): a 12-byte header (key number, version, run tag) and then a slice of
/// a random block that starts at an offset chosen by (key, version). So every key's value differs from every other
/// key's, even at the same length (Rend wrote prefixes of one shared buffer, which a value served under the wrong
/// key passes), and a reader checks the key, the version and every byte without having stored the value.
/// Values shorter than the header are that many bytes of it.
/// </summary>
internal sealed class ValuePattern
{
    public const int HeaderLength = 12;
    private const int OffsetSpread = 4096;

    private readonly byte[] _noise;
    private readonly uint _runTag;
    private readonly ValueSizeSpec _sizes;

    public ValuePattern(ValueSizeSpec sizes, ulong seed)
    {
        _sizes = sizes;
        _runTag = (uint)(seed >> 32) | 1;
        _noise = new byte[Math.Max(0, sizes.Max - HeaderLength) + OffsetSpread];
        var random = new FastRandom(seed);
        for (var i = 0; i + 8 <= _noise.Length; i += 8)
            BinaryPrimitives.WriteUInt64LittleEndian(_noise.AsSpan(i), random.NextUInt64());
    }

    public int MaxSize => _sizes.Max;

    public int SizeOf(int key, int version) => _sizes.Pick(FastRandom.Mix((ulong)key, (ulong)version));

    /// <summary>Writes the value of (key, version) into <paramref name="destination"/>, which is exactly <see cref="SizeOf"/> long.</summary>
    public void Write(int key, int version, Span<byte> destination)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteInt32LittleEndian(header, key);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], _runTag);
        if (destination.Length <= HeaderLength)
        {
            header[..destination.Length].CopyTo(destination);
            return;
        }
        header.CopyTo(destination);
        Body(key, version, destination.Length).CopyTo(destination[HeaderLength..]);
    }

    /// <summary>True when <paramref name="value"/> is exactly the value of (key, version).</summary>
    public bool Matches(int key, int version, ReadOnlySpan<byte> value)
    {
        if (value.Length != SizeOf(key, version))
            return false;
        Span<byte> header = stackalloc byte[HeaderLength];
        BinaryPrimitives.WriteInt32LittleEndian(header, key);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], _runTag);
        if (value.Length <= HeaderLength)
            return value.SequenceEqual(header[..value.Length]);
        return value[..HeaderLength].SequenceEqual(header) && value[HeaderLength..].SequenceEqual(Body(key, version, value.Length));
    }

    /// <summary>Reads the version a value says it is, when it is long enough to say (8 bytes or more).</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> value, out int key, out int version)
    {
        if (value.Length < 8)
        {
            key = version = 0;
            return false;
        }
        key = BinaryPrimitives.ReadInt32LittleEndian(value);
        version = BinaryPrimitives.ReadInt32LittleEndian(value[4..]);
        return true;
    }

    private ReadOnlySpan<byte> Body(int key, int version, int length)
    {
        var offset = (int)(FastRandom.Mix((ulong)version, (ulong)key ^ 0x5bd1e995UL) % OffsetSpread);
        return _noise.AsSpan(offset, length - HeaderLength);
    }
}
