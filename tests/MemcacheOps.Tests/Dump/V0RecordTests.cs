using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Tests.Dump;

public class V0RecordTests
{
    [Fact]
    public void Layout_is_big_endian_fields_back_to_back()
    {
        var bytes = new byte[V0Record.RecordSize(3, 2)];
        var written = V0Record.Write(bytes, "abc"u8, -1, 0x01020304, "hi"u8);

        Assert.Equal(bytes.Length, written);
        Assert.Equal(3 + 2 + 14, written);
        byte[] expected =
        [
            0x00, 0x03, (byte)'a', (byte)'b', (byte)'c',
            0xFF, 0xFF, 0xFF, 0xFF,
            0x01, 0x02, 0x03, 0x04,
            0x00, 0x00, 0x00, 0x02,
            (byte)'h', (byte)'i',
        ];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void Round_trip_through_the_reader_keeps_every_field()
    {
        var records = DumpTestData.EdgeRecords();
        var bytes = DumpTestData.Encode(records);

        using var reader = new DataFileReader(new MemoryStream(bytes), "memory");
        var read = DumpTestData.ReadAll(reader);

        DumpTestData.AssertSame(records, read);
        Assert.Equal(bytes.Length, reader.Position);
        Assert.Equal(records.Count, reader.RecordsRead);
    }

    [Fact]
    public void Offsets_point_at_each_record_start()
    {
        var records = DumpTestData.EdgeRecords();
        using var reader = new DataFileReader(new MemoryStream(DumpTestData.Encode(records)), "memory");
        long expectedOffset = 0;
        foreach (var r in records)
        {
            Assert.True(reader.TryReadNext(out var view));
            Assert.Equal(expectedOffset, view.Offset);
            Assert.Equal(V0Record.RecordSize(r.Key.Length, r.Value.Length), view.Size);
            expectedOffset += view.Size;
        }
        Assert.False(reader.TryReadNext(out _));
    }

    [Fact]
    public void Keys_must_fit_the_16_bit_length()
    {
        var dest = new byte[200_000];
        Assert.Throws<ArgumentException>(() => V0Record.Write(dest, ReadOnlySpan<byte>.Empty, 0, 0, "v"u8));
        Assert.Throws<ArgumentException>(() => V0Record.Write(dest, new byte[65536], 0, 0, "v"u8));
        Assert.Equal(V0Record.RecordSize(65535, 1), V0Record.Write(dest, new byte[65535], 0, 0, "v"u8));
    }

    [Fact]
    public void Too_small_destination_is_refused()
    {
        var dest = new byte[10];
        Assert.Throws<ArgumentException>(() => V0Record.Write(dest, "key"u8, 0, 0, "value"u8));
    }
}
