using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// CRC-32C (Castagnoli, the iSCSI/ext4 polynomial 0x1EDC6F41, reflected 0x82F63B78) computed with the
/// processor's CRC32 instructions (SSE4.2 on x86, CRC32 on ARM64), eight bytes per instruction, with a
/// table fallback. It is the default checksum of dump files because SHA-256 cost about a fifth of the
/// export's CPU time (see docs/performance.md) while a CRC detects the corruption and truncation a dump
/// checksum is for. Known answer: "123456789" gives E3069283.
/// <para>
/// One CRC instruction has to wait for the previous one's result (3 cycles on current x86 cores) but
/// the processor can start one per cycle, so long inputs are cut into blocks of three streams that are
/// computed side by side and then joined: the CRC register is linear, so the CRC of A followed by B
/// is the register after A advanced over |B| zero bytes, XOR the register of B alone. Advancing over
/// a stream's length of zeros is one multiplication in GF(2), done with a table built at start-up.
/// The harness's checksum scenario measures it (docs/performance.md).
/// </para>
/// </summary>
public sealed class Crc32C
{
    /// <summary>Bytes in each of the three streams of a block; a multiple of 8.</summary>
    private const int StreamLength = 4096;

    private static readonly uint[] Table = BuildTable();

    /// <summary>Four 256-entry tables that advance a CRC register over <see cref="StreamLength"/> zero bytes.</summary>
    private static readonly uint[] SkipStreamTable = BuildSkipStreamTable();

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (!Sse42.X64.IsSupported && !Crc32.Arm64.IsSupported)
            return UpdateWithTable(crc, data);
        while (data.Length >= 3 * StreamLength)
        {
            ref var block = ref MemoryMarshal.GetReference(data);
            uint second = 0, third = 0;
            for (var i = 0; i < StreamLength; i += 8)
            {
                crc = Step(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref block, i)));
                second = Step(second, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref block, i + StreamLength)));
                third = Step(third, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref block, i + 2 * StreamLength)));
            }
            crc = SkipStream(SkipStream(crc) ^ second) ^ third;
            data = data[(3 * StreamLength)..];
        }
        while (data.Length >= 8)
        {
            crc = Step(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
            crc = Sse42.IsSupported ? Sse42.Crc32(crc, b) : Crc32.ComputeCrc32C(crc, b);
        return crc;
    }

    /// <summary>
    /// Eight bytes through the processor's CRC-32C instruction. The checks are constants to the JIT, so
    /// this compiles to the one instruction of the machine it runs on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Step(uint crc, ulong eightBytes) => Sse42.X64.IsSupported
        ? (uint)Sse42.X64.Crc32(crc, eightBytes)
        : Crc32.Arm64.ComputeCrc32C(crc, eightBytes);

    private static uint UpdateWithTable(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The register <paramref name="crc"/> advanced over <see cref="StreamLength"/> zero bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint SkipStream(uint crc)
    {
        var table = SkipStreamTable;
        return table[crc & 0xFF] ^ table[256 + ((crc >> 8) & 0xFF)] ^ table[512 + ((crc >> 16) & 0xFF)] ^ table[768 + (crc >> 24)];
    }

    private static uint[] BuildSkipStreamTable()
    {
        // Advancing over zeros is linear in the register, so it is fixed by where each of the 32 bits goes.
        var zeros = new byte[StreamLength];
        var bit = new uint[32];
        for (var i = 0; i < 32; i++)
            bit[i] = UpdateWithTable(1u << i, zeros);
        var table = new uint[4 * 256];
        for (var part = 0; part < 4; part++)
        {
            for (var value = 0; value < 256; value++)
            {
                uint advanced = 0;
                for (var j = 0; j < 8; j++)
                {
                    if ((value & (1 << j)) != 0)
                        advanced ^= bit[8 * part + j];
                }
                table[256 * part + value] = advanced;
            }
        }
        return table;
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
