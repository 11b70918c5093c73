using System.Buffers.Binary;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// The "V0" data-file record, shared with cachemover so either tool reads the other's files:
/// u16 BE key length, key, i32 BE absolute unix expiry (-1 = never), u32 BE flags, u32 BE value
/// length, value. No file header, no delimiters: records are written back to back.
/// </summary>
public static class V0Record
{
    /// <summary>The record format name written into manifests.</summary>
    public const string FormatName = "V0";

    /// <summary>Bytes of a record that are not key or value: key length, expiry, flags, value length.</summary>
    public const int FixedOverhead = 2 + 4 + 4 + 4;

    /// <summary>The longest key the 16-bit length field can describe (memcached itself stops at 250).</summary>
    public const int MaxKeyLength = ushort.MaxValue;

    /// <summary>Expiry value meaning "never expires".</summary>
    public const int NeverExpires = -1;

    /// <summary>Total bytes one record takes on disk.</summary>
    public static long RecordSize(int keyLength, long valueLength) => FixedOverhead + (long)keyLength + valueLength;

    /// <summary>Bytes of the record before its value (everything but the value itself).</summary>
    public static int HeaderSize(int keyLength) => FixedOverhead + keyLength;

    /// <summary>Writes one whole record into <paramref name="dest"/>; returns the bytes written.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static int Write(Span<byte> dest, ReadOnlySpan<byte> key, int expiry, uint flags, ReadOnlySpan<byte> value)
    {
        var header = WriteHeader(dest, key, expiry, flags, value.Length);
        if (dest.Length - header < value.Length)
            throw new ArgumentException("Destination is too small for the record.", nameof(dest));
        value.CopyTo(dest[header..]);
        return header + value.Length;
    }

    /// <summary>
    /// Writes everything but the value (so a large value can be written straight from its own
    /// buffer); returns the bytes written, <see cref="HeaderSize"/> of the key length.
    /// </summary>
    public static int WriteHeader(Span<byte> dest, ReadOnlySpan<byte> key, int expiry, uint flags, int valueLength)
    {
        if (key.IsEmpty || key.Length > MaxKeyLength)
            throw new ArgumentException($"A V0 key must be 1 to {MaxKeyLength} bytes long (got {key.Length}).", nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegative(valueLength);
        var size = HeaderSize(key.Length);
        if (dest.Length < size)
            throw new ArgumentException("Destination is too small for the record.", nameof(dest));
        BinaryPrimitives.WriteUInt16BigEndian(dest, (ushort)key.Length);
        key.CopyTo(dest[2..]);
        var at = 2 + key.Length;
        BinaryPrimitives.WriteInt32BigEndian(dest[at..], expiry);
        BinaryPrimitives.WriteUInt32BigEndian(dest[(at + 4)..], flags);
        BinaryPrimitives.WriteUInt32BigEndian(dest[(at + 8)..], (uint)valueLength);
        return size;
    }
}
