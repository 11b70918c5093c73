using System.Buffers.Binary;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// A key's 128-bit identity: its MD5 digest. The move keeps one per tracked key instead of the key
/// itself (16 bytes whatever the key length). Ketama rings place keys by the same digest (its first four
/// bytes, little-endian), so routing takes it too (<see cref="IOwnerLookup.GetOwnerIndex(ReadOnlySpan{byte}, UInt128)"/>)
/// and each listed key is hashed once for both. Two distinct keys sharing a digest is out of practical
/// reach (about 2^64 keys for even odds).
/// </summary>
internal static class KeyIdentity
{
    public static UInt128 Of(ReadOnlySpan<byte> key)
    {
        Span<byte> digest = stackalloc byte[16];
        KeyDigest.Compute(key, digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }
}
