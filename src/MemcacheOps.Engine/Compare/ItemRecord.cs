using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// What one side holds for a key. Values are compared by length and a 128-bit SHA-256 digest rather
/// than by their bytes, so neither side's values ever need to be held while the other is read:
/// memory stays bounded whatever the value sizes, and a dump can be indexed by digest.
/// </summary>
internal struct ItemRecord
{
    public bool Present;

    /// <summary>True when <see cref="Digest"/> was computed (values were read, not only metadata).</summary>
    public bool HasDigest;

    public uint Flags;

    /// <summary>Value length in bytes.</summary>
    public long Size;

    /// <summary>Remaining seconds to live; -1 means never expires.</summary>
    public long Ttl;

    public UInt128 Digest;

    /// <summary>The first 128 bits of the value's SHA-256.</summary>
    public static UInt128 DigestOf(ReadOnlySpan<byte> value)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(value, hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    /// <summary>
    /// Remaining TTL (-1 for never) from an absolute expiry in unix seconds (negative for never);
    /// false when the item has expired by <paramref name="nowUnix"/>, as memcached and import treat it.
    /// </summary>
    public static bool TryGetTtl(long absoluteExpiry, long nowUnix, out long ttl)
    {
        ttl = absoluteExpiry < 0 ? -1 : absoluteExpiry - nowUnix;
        return absoluteExpiry < 0 || ttl > 0;
    }
}
