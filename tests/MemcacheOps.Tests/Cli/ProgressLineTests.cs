using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Tests.Cli;

/// <summary>
/// The CLI's progress line fits the terminal: a line that wraps cannot be redrawn in place, so each update
/// would leave a line behind. Narrower terminals drop the byte rate, then the bytes, then the item rate.
/// </summary>
public sealed class ProgressLineTests
{
    private static readonly ProgressSnapshot Export = new()
    {
        Activity = "Export",
        Phase = "fetching values",
        Items = 123_456,
        TotalItems = 200_000,
        Bytes = 346_000_000,
        Elapsed = TimeSpan.FromSeconds(12),
        ItemsPerSecond = 95_100,
        BytesPerSecond = 262_000_000,
    };

    [Fact]
    public void A_wide_terminal_gets_every_part()
    {
        var line = Formatting.ProgressLine(Export);

        Assert.Equal("Export: fetching values 123,456/200,000 items, 330.0 MiB, 95.1k/s, 249.9 MiB/s, 0:12 ETA 0.80s", line);
    }

    [Theory]
    [InlineData(79)]
    [InlineData(60)]
    [InlineData(40)]
    [InlineData(10)]
    public void Every_width_gets_a_line_that_fits(int width)
    {
        var line = Formatting.ProgressLine(Export, width);

        Assert.InRange(line.Length, 1, width);
        Assert.StartsWith("Export", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Narrower_terminals_drop_the_byte_rate_then_the_bytes()
    {
        Assert.Equal("Export: fetching values 123,456/200,000 items, 330.0 MiB, 95.1k/s, 0:12 ETA 0.80s", Formatting.ProgressLine(Export, 90));
        Assert.Equal("Export: fetching values 123,456/200,000 items, 95.1k/s, 0:12 ETA 0.80s", Formatting.ProgressLine(Export, 79));
        Assert.Equal("Export: fetching values 123,456/200,000 items, 0:12 ETA 0.80s", Formatting.ProgressLine(Export, 65));
    }
}
