using System.Text;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Tests.Listing;

public class MetadumpEntryTests
{
    [Fact]
    public void Parses_recorded_lines()
    {
        Assert.True(MetadumpEntry.TryParse("key=ttl%3Akey%2F1 exp=1795236947 la=1795236347 cas=100080 fetch=no cls=1 size=71"u8, out var e));
        Assert.Equal("ttl%3Akey%2F1", Encoding.ASCII.GetString(e.EncodedKey));
        Assert.Equal(1795236947, e.Expiry);
        Assert.Equal(1795236347, e.LastAccess);
        Assert.Equal(100080UL, e.Cas);
        Assert.False(e.Fetched);
        Assert.Equal(1, e.SlabClass);
        Assert.Equal(71, e.Size);
        Assert.Null(e.ClientFlags);

        Assert.True(MetadumpEntry.TryParse("key=plain exp=-1 la=1 cas=2 fetch=yes cls=3 size=4 flags=70000"u8, out e));
        Assert.Equal(-1, e.Expiry);
        Assert.True(e.Fetched);
        Assert.Equal(70000u, e.ClientFlags);
    }

    [Theory]
    [InlineData("END")]
    [InlineData("BUSY currently processing crawler request")]
    [InlineData("key= exp=-1")]
    [InlineData("")]
    public void Rejects_non_item_lines(string line)
        => Assert.False(MetadumpEntry.TryParse(Encoding.ASCII.GetBytes(line), out _));

    [Theory]
    [InlineData("user:*", "user:1", true)]
    [InlineData("user:*", "session:1", false)]
    [InlineData("user:?", "user:12", false)]
    [InlineData("user:[0-4]", "user:3", true)]
    [InlineData("a`*b", "a*b", true)]
    [InlineData("a`*b", "axb", false)]
    public void Wildcards_match_like_powershell(string pattern, string key, bool expected)
        => Assert.Equal(expected, new KeyFilter(pattern).Matches(Encoding.UTF8.GetBytes(key), -1, 1));

    [Fact]
    public void Expiry_and_class_filters()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        var before = new KeyFilter(expiringBefore: now);
        Assert.True(before.Matches("k"u8, 999_999, 1));
        Assert.False(before.Matches("k"u8, -1, 1));
        var after = new KeyFilter(expiringAfter: now);
        Assert.True(after.Matches("k"u8, -1, 1));
        Assert.False(after.Matches("k"u8, 999_999, 1));
        Assert.True(after.Matches("k"u8, 1_000_001, 1));
        var cls = new KeyFilter(slabClasses: [2, 3]);
        Assert.False(cls.Matches("k"u8, -1, 1));
        Assert.True(cls.Matches("k"u8, -1, 3));
        var exclude = new KeyFilter("user:*", excludePattern: "user:tmp*");
        Assert.False(exclude.Matches("user:tmp1"u8, -1, 1));
        Assert.True(exclude.Matches("user:1"u8, -1, 1));
    }
}
