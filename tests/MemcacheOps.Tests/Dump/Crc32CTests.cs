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
