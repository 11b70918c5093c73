using System.Buffers.Binary;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// A key's 128-bit identity: its MD5 digest. The move keeps one per tracked key instead of the key
/// itself (16 bytes whatever the key length), and the same digest gives the ketama hash (its first four
/// bytes, little-endian), so each listed key is hashed once for both routing and change tracking.
/// Two distinct keys sharing a digest is out of practical reach (about 2^64 keys for even odds).
/// </summary>
internal static class KeyIdentity
{
    public static UInt128 Of(ReadOnlySpan<byte> key, out uint ketamaHash)
    {
        Span<byte> digest = stackalloc byte[16];
        KeyDigest.Compute(key, digest);
        ketamaHash = BinaryPrimitives.ReadUInt32LittleEndian(digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    /// <summary>The ketama hash of a key from its identity (the low 32 bits are the digest's first four bytes).</summary>
    public static uint KetamaHash(UInt128 identity) => (uint)identity;
}
