using System.Text;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Tests.Protocol;

public class EncodingTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("ttl%3Akey%2F1", "ttl:key/1")]
    [InlineData("sp%25ce~._-", "sp%ce~._-")]
    public void Percent_decodes_metadump_keys(string encoded, string expected)
    {
        var dest = new byte[256];
        var n = PercentEncoding.Decode(Encoding.ASCII.GetBytes(encoded), dest);
        Assert.Equal(expected, Encoding.UTF8.GetString(dest, 0, n));
    }

    [Fact]
    public void Percent_round_trips_every_byte()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var encoded = new byte[all.Length * 3];
        var n = PercentEncoding.Encode(all, encoded);
        var decoded = new byte[256];
        Assert.Equal(256, PercentEncoding.Decode(encoded.AsSpan(0, n), decoded));
        Assert.Equal(all, decoded);
        Assert.Equal("%00%01%02%FF", PercentEncoding.EncodeToString([0, 1, 2, 255]));
    }

    [Theory]
    [InlineData("abc%")]
    [InlineData("abc%4")]
    [InlineData("abc%ZZ")]
    public void Percent_rejects_malformed(string encoded)
        => Assert.Equal(-1, PercentEncoding.Decode(Encoding.ASCII.GetBytes(encoded), new byte[64]));

    [Fact]
    public void Keys_needing_base64_are_detected()
    {
        Assert.False(KeyCodec.NeedsBase64("user:1"u8));
        Assert.True(KeyCodec.NeedsBase64("a b"u8));
        Assert.True(KeyCodec.NeedsBase64(new byte[] { 0, 1 }));
        Assert.True(KeyCodec.NeedsBase64(new byte[] { (byte)'a', 0x7F }));
        Assert.True(KeyCodec.IsAddressable(new byte[186]));
        Assert.False(KeyCodec.IsAddressable(new byte[187]));
        Assert.True(KeyCodec.IsAddressable(Enumerable.Repeat((byte)'k', 250).ToArray()));
        Assert.False(KeyCodec.IsAddressable(Enumerable.Repeat((byte)'k', 251).ToArray()));
    }

    [Fact]
    public void Display_form_is_text_or_percent_encoded()
    {
        Assert.Equal("héllo", KeyText.ToDisplayString(Encoding.UTF8.GetBytes("héllo"), out var binary));
        Assert.False(binary);
        Assert.Equal("%00%01%02%FF", KeyText.ToDisplayString(new byte[] { 0, 1, 2, 255 }, out binary));
        Assert.True(binary);
    }

    [Theory]
    [InlineData("localhost", "localhost", 11211)]
    [InlineData("10.0.0.1:22122", "10.0.0.1", 22122)]
    [InlineData("[::1]:11311", "::1", 11311)]
    [InlineData("[::1]", "::1", 11211)]
    [InlineData(" cache-01.example ", "cache-01.example", 11211)]
    public void Endpoints_parse(string text, string host, int port)
    {
        var e = ServerEndpoint.Parse(text);
        Assert.Equal(host, e.Host);
        Assert.Equal(port, e.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:abc")]
    [InlineData("::1")]
    [InlineData("[::1")]
    [InlineData("[zz]:1")]
    [InlineData("ho st")]
    [InlineData("http://host")]
    public void Bad_endpoints_get_clear_errors(string text)
    {
        var ex = Assert.Throws<MemcacheException>(() => ServerEndpoint.Parse(text));
        Assert.Equal("InvalidServer", ex.ErrorId);
        Assert.Contains("host:port", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_text_form_is_canonical()
    {
        Assert.Equal("[::1]:11211", ServerEndpoint.Parse("[::1]").ToString());
        Assert.Equal("h:1", ServerEndpoint.Parse("h:1").ToString());
        Assert.Equal(3, ServerEndpoint.ParseList(["a:1,b:2", "c"]).Count);
    }
}
