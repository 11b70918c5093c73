using System.Buffers.Binary;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Tests.Dump;

public class DataFileReaderTests
{
    private static readonly List<TestRecord> Small =
    [
        TestRecord.Of("k1", -1, 0, "value-one"),
        TestRecord.Of("key-2", 1_700_000_000, uint.MaxValue, ""),
        new([0x00, 0x01], 5, 7, [9, 9, 9]),
        TestRecord.Of("last", -1, 65535, "z"),
    ];

    [Fact]
    public void Truncation_at_any_offset_is_reported_when_the_dump_recorded_the_file()
    {
        var bytes = DumpTestData.Encode(Small);
        var options = new DataFileReadOptions { ExpectedRecords = Small.Count, ExpectedBytes = bytes.Length };

        for (var length = 0; length < bytes.Length; length++)
        {
            using var reader = new DataFileReader(new MemoryStream(bytes, 0, length), "cut.v0", options: options);
            var ex = DumpTestData.AssertDumpError("DumpFileCorrupt", () => DumpTestData.ReadAll(reader));
            Assert.Equal(MemcacheErrorKind.InvalidData, ex.Kind);
            Assert.Contains("cut.v0", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Truncation_inside_a_record_is_reported_at_that_record_even_without_metadata()
    {
        var bytes = DumpTestData.Encode(Small);
        var starts = RecordStarts(Small);

        for (var length = 0; length < bytes.Length; length++)
        {
            // Read through a stream that returns one byte at a time, so every partial-read path is crossed.
            using var reader = new DataFileReader(new TrickleStream(bytes.AsSpan(0, length).ToArray()), "cut.v0");
            var complete = starts.Count(s => s.End <= length);
            if (starts.Any(s => s.Start == length) || length == 0)
            {
                // Cut exactly between records: structurally valid; only metadata can tell (test above).
                DumpTestData.AssertSame(Small.Take(complete).ToList(), DumpTestData.ReadAll(reader));
                continue;
            }
            var partial = starts.First(s => s.Start < length && length < s.End);
            var read = 0;
            var ex = DumpTestData.AssertDumpError("DumpFileCorrupt", () =>
            {
                while (reader.TryReadNext(out _))
                    read++;
            });
            Assert.Equal(complete, read);
            Assert.Contains($"byte offset {partial.Start}", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Key_length_zero_is_corruption()
    {
        var bytes = DumpTestData.Encode(Small);
        var second = RecordStarts(Small)[1].Start;
        bytes[second] = 0;
        bytes[second + 1] = 0;

        using var reader = new DataFileReader(new MemoryStream(bytes), "zero.v0");
        var ex = DumpTestData.AssertDumpError("DumpFileCorrupt", () => DumpTestData.ReadAll(reader));
        Assert.Contains($"byte offset {second}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("key length 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Impossible_value_length_is_corruption_not_an_allocation()
    {
        var bytes = DumpTestData.Encode([TestRecord.Of("k", -1, 0, "v")]);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2 + 1 + 8), 0xFFFF_FFF0);

        using var reader = new DataFileReader(new MemoryStream(bytes), "huge.v0");
        var ex = DumpTestData.AssertDumpError("DumpFileCorrupt", () => DumpTestData.ReadAll(reader));
        Assert.Contains("byte offset 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_length_limit_is_configurable()
    {
        var bytes = DumpTestData.Encode([TestRecord.Of("k", -1, 0, new string('x', 2000))]);

        using var reader = new DataFileReader(new MemoryStream(bytes), "limited.v0", options: new DataFileReadOptions { MaxValueLength = 1000 });
        DumpTestData.AssertDumpError("DumpFileCorrupt", () => DumpTestData.ReadAll(reader));
    }

    [Fact]
    public void More_records_than_recorded_is_corruption()
    {
        var bytes = DumpTestData.Encode(Small);
        using var reader = new DataFileReader(new MemoryStream(bytes), "long.v0", options: new DataFileReadOptions { ExpectedRecords = 2 });
        Assert.True(reader.TryReadNext(out _));
        Assert.True(reader.TryReadNext(out _));
        DumpTestData.AssertDumpError("DumpFileCorrupt", () => reader.TryReadNext(out _));
    }

    [Fact]
    public void Large_records_grow_the_buffer_and_small_ones_follow_intact()
    {
        var records = DumpTestData.RandomRecords(40, 50_000, seed: 11);
        records.Insert(20, new TestRecord("huge"u8.ToArray(), -1, 1, new byte[300_000]));
        var bytes = DumpTestData.Encode(records);

        using var reader = new DataFileReader(new MemoryStream(bytes), "mixed.v0", options: new DataFileReadOptions { BufferSize = 4096 });
        DumpTestData.AssertSame(records, DumpTestData.ReadAll(reader));
    }

    [Fact]
    public void Flipped_byte_is_caught_by_the_checksum()
    {
        using var temp = new TempDirectory();
        var info = DumpTestData.WriteFile(temp.Path, "f.v0", DumpTestData.RandomRecords(100, 500));
        var md5 = DumpChecksum.Compute(info.FullPath, ChecksumAlgorithm.Md5);
        DumpChecksum.Verify(info.FullPath, ChecksumAlgorithm.Sha256, info.Sha256!);
        DumpChecksum.Verify(info.FullPath, ChecksumAlgorithm.Md5, md5.ToLowerInvariant());

        var bytes = File.ReadAllBytes(info.FullPath);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(info.FullPath, bytes);

        var sha = DumpTestData.AssertDumpError("DumpChecksumMismatch", () => DumpChecksum.Verify(info.FullPath, ChecksumAlgorithm.Sha256, info.Sha256!));
        Assert.Equal(MemcacheErrorKind.InvalidData, sha.Kind);
        Assert.Contains(info.FullPath, sha.Message, StringComparison.Ordinal);
        DumpTestData.AssertDumpError("DumpChecksumMismatch", () => DumpChecksum.Verify(info.FullPath, ChecksumAlgorithm.Md5, md5));
    }

    [Fact]
    public void Checksums_have_their_recorded_forms()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("abc");
        File.WriteAllText(path, "abc");

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", DumpChecksum.Compute(path, ChecksumAlgorithm.Sha256));
        Assert.Equal("900150983CD24FB0D6963F7D28E17F72", DumpChecksum.Compute(path, ChecksumAlgorithm.Md5));
    }

    [Fact]
    public void Missing_file_is_a_read_error_naming_it()
    {
        using var temp = new TempDirectory();
        var ex = DumpTestData.AssertDumpError("DumpReadFailed", () => new DataFileReader(temp.Combine("nope.v0")).Dispose());
        Assert.Contains("nope.v0", ex.Message, StringComparison.Ordinal);
    }

    private static List<(int Start, int End)> RecordStarts(IEnumerable<TestRecord> records)
    {
        var list = new List<(int, int)>();
        var at = 0;
        foreach (var r in records)
        {
            var size = (int)V0Record.RecordSize(r.Key.Length, r.Value.Length);
            list.Add((at, at + size));
            at += size;
        }
        return list;
    }

    /// <summary>A stream that hands out one byte per read, like a slow pipe.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);
    }
}
