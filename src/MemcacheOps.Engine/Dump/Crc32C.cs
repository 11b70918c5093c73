using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// CRC-32C (Castagnoli, the iSCSI/ext4 polynomial 0x1EDC6F41, reflected 0x82F63B78) computed with the
/// processor's CRC32 instructions (SSE4.2 on x86, CRC32 on ARM64), eight bytes per instruction, with a
/// table fallback. It is the default checksum of dump files because SHA-256 cost about a fifth of the
/// export's CPU time (see docs/performance.md) while a CRC detects the corruption and truncation a dump
/// checksum is for. Known answer: "123456789" gives E3069283.
/// </summary>
public sealed class Crc32C
{
    private static readonly uint[] Table = BuildTable();
    private uint _state = 0xFFFFFFFF;

    public void Append(ReadOnlySpan<byte> data) => _state = Update(_state, data);

    /// <summary>The checksum of everything appended, big-endian, and a reset for reuse.</summary>
    public byte[] GetHashAndReset()
    {
        var digest = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(digest, ~_state);
        _state = 0xFFFFFFFF;
        return digest;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFF, data);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong c = crc;
            while (data.Length >= 8)
            {
                c = Sse42.X64.Crc32(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            crc = (uint)c;
            foreach (var b in data)
                crc = Sse42.Crc32(crc, b);
            return crc;
        }
        if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            foreach (var b in data)
                crc = Crc32.ComputeCrc32C(crc, b);
            return crc;
        }
        foreach (var b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0x82F63B78 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
