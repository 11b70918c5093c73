using System.Text;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Tests.Listing;

public class MetadumpLinesTests
{
    [Fact]
    public void Returns_each_item_line_with_its_decoded_key_and_skips_the_rest()
    {
        var lines = "key=a%20b exp=-1 la=1 cas=7 fetch=no cls=1 size=60\nEND\r\nkey=%ZZ exp=-1 la=1 cas=8 fetch=no cls=1 size=60\nkey=%00%FF exp=5 la=1 cas=9 fetch=yes cls=2 size=61"u8;
        Span<byte> buffer = stackalloc byte[KeyText.MaxDisplayLength];
        var position = 0;

        Assert.True(MetadumpLines.TryReadNext(lines, ref position, buffer, out var entry, out var key));
        Assert.Equal("a b", Encoding.ASCII.GetString(key));
        Assert.Equal(7UL, entry.Cas);

        // END and the malformed %ZZ key are skipped; the last line has no newline.
        Assert.True(MetadumpLines.TryReadNext(lines, ref position, buffer, out entry, out key));
        Assert.Equal(new byte[] { 0x00, 0xFF }, key.ToArray());
        Assert.Equal(9UL, entry.Cas);
        Assert.Equal(5, entry.Expiry);
        Assert.Equal(lines.Length, position);

        Assert.False(MetadumpLines.TryReadNext(lines, ref position, buffer, out _, out key));
        Assert.True(key.IsEmpty);
    }

    [Fact]
    public void Stops_after_the_line_it_returns()
    {
        var lines = "key=one exp=-1 la=1 cas=1 fetch=no cls=1 size=60\nkey=two exp=-1 la=1 cas=2 fetch=no cls=1 size=60\n"u8;
        Span<byte> buffer = stackalloc byte[KeyText.MaxDisplayLength];
        var position = 0;

        Assert.True(MetadumpLines.TryReadNext(lines, ref position, buffer, out _, out var key));
        Assert.Equal("one", Encoding.ASCII.GetString(key));
        Assert.Equal(lines.IndexOf((byte)'\n') + 1, position);
        Assert.True(MetadumpLines.TryReadNext(lines, ref position, buffer, out _, out key));
        Assert.Equal("two", Encoding.ASCII.GetString(key));
        Assert.False(MetadumpLines.TryReadNext(lines, ref position, buffer, out _, out _));
        Assert.False(MetadumpLines.TryReadNext(ReadOnlySpan<byte>.Empty, ref position, buffer, out _, out _));
    }
}
