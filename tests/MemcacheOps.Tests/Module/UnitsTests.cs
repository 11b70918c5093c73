using MemcacheOps.Cmdlets.Infrastructure;

namespace MemcacheOps.Tests.Module;

/// <summary>The helpers the table views and the progress text use to make numbers readable.</summary>
public sealed class UnitsTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(64L * 1024 * 1024, "64 MiB")]
    [InlineData(5L * 1024 * 1024 * 1024 * 1024, "5 TiB")]
    public void Bytes(long value, string expected) => Assert.Equal(expected, Units.Bytes(value));

    [Theory]
    [InlineData(0.5, "0.5/s")]
    [InlineData(950, "950/s")]
    [InlineData(12_345, "12.3k/s")]
    [InlineData(2_500_000, "2.5M/s")]
    public void Rate(double value, string expected) => Assert.Equal(expected, Units.Rate(value));

    [Theory]
    [InlineData(12.3, "12.3s")]
    [InlineData(249, "4m 09s")]
    [InlineData(7500, "2h 05m")]
    [InlineData(273600, "3d 4h")]
    [InlineData(-90, "-1m 30s")]
    public void Duration(double seconds, string expected) => Assert.Equal(expected, Units.Seconds(seconds));

    [Fact]
    public void Percent_And_Expiry()
    {
        Assert.Equal("93.4%", Units.Percent(0.9342));
        Assert.Equal("n/a", Units.Percent(null));
        Assert.Equal("never", Units.Expiry(null));
        Assert.Equal("expired", Units.Expiry(DateTimeOffset.UtcNow.AddSeconds(-5)));
        Assert.StartsWith("in ", Units.Expiry(DateTimeOffset.UtcNow.AddHours(2)), StringComparison.Ordinal);
        Assert.Equal("1.5 KiB/s", Units.BytesPerSecond(1536));
    }

    [Theory]
    [InlineData("/dumps/cache1", 16, "/dumps/cache1")]
    [InlineData("/var/tmp/dumps/cache-node-07", 16, "…s/cache-node-07")]
    [InlineData("", 16, "")]
    [InlineData(null, 16, "")]
    public void Tail_KeepsTheEndOfLongText(string? text, int width, string expected)
    {
        Assert.Equal(expected, Units.Tail(text, width));
        Assert.True(Units.Tail(text, width).Length <= width);
    }
}
