using System.Text;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Tests.Dump;

public class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)]             // the standard check value of CRC-32C
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Known_answers(string text, uint expected)
        => Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Incremental_equals_one_shot_for_every_split()
    {
        var data = new byte[300];
        new Random(3).NextBytes(data);
        var whole = Crc32C.Compute(data);
        for (var cut = 0; cut <= data.Length; cut += 7)
        {
            var crc = new Crc32C();
            crc.Append(data.AsSpan(0, cut));
            crc.Append(data.AsSpan(cut));
            Assert.Equal(whole, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(crc.GetHashAndReset()));
        }
    }

    [Fact]
    public void Long_inputs_computed_in_three_streams_match_a_bitwise_crc()
    {
        // Lengths around the 3 x 4096-byte blocks the fast path works in, and far past them.
        var random = new Random(11);
        var data = new byte[5 * 3 * 4096 + 100];
        random.NextBytes(data);
        int[] lengths = [12287, 12288, 12289, 12295, 24576, 24583, 30000, data.Length];
        foreach (var length in lengths)
            Assert.Equal(BitwiseCrc32C(data.AsSpan(0, length)), Crc32C.Compute(data.AsSpan(0, length)));
        for (var i = 0; i < 40; i++)
        {
            var start = random.Next(0, 64);
            var length = random.Next(0, data.Length - start);
            Assert.Equal(BitwiseCrc32C(data.AsSpan(start, length)), Crc32C.Compute(data.AsSpan(start, length)));
        }
    }

    [Fact]
    public void Incremental_over_block_boundaries_equals_one_shot()
    {
        var data = new byte[100_000];
        new Random(5).NextBytes(data);
        var whole = BitwiseCrc32C(data);
        foreach (var cut in new[] { 1, 4095, 12288, 12289, 50_001, 99_999 })
        {
            var crc = new Crc32C();
            crc.Append(data.AsSpan(0, cut));
            crc.Append(data.AsSpan(cut));
            Assert.Equal(whole, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(crc.GetHashAndReset()));
        }
    }

    /// <summary>The definition, one bit at a time: independent of every table and instruction the fast code uses.</summary>
    private static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void Data_files_default_to_crc32c_in_exports_and_verify()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mo-crc-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var writer = DataFileWriter.Create(dir, "f.v0", checksum: ChecksumAlgorithm.Crc32C);
            writer.Append("k"u8, -1, 7, "value"u8);
            var info = writer.Complete();
            Assert.Equal(ChecksumAlgorithm.Crc32C, info.ChecksumAlgorithm);
            Assert.Null(info.Sha256);
            Assert.Matches("^[0-9a-f]{8}$", info.Checksum);
            Assert.Equal(info.Checksum, DumpChecksum.Compute(info.FullPath, ChecksumAlgorithm.Crc32C));
            var bytes = File.ReadAllBytes(info.FullPath);
            bytes[^1] ^= 1;
            File.WriteAllBytes(info.FullPath, bytes);
            var ex = Assert.Throws<MemcacheOps.Engine.MemcacheException>(() => DumpChecksum.Verify(info.FullPath, ChecksumAlgorithm.Crc32C, info.Checksum));
            Assert.Equal("DumpChecksumMismatch", ex.ErrorId);
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, true);
        }
    }
}
