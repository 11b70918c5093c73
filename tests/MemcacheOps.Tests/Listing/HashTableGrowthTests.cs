using System.Text;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Listing;

/// <summary>
/// A hash listing never starts while the server's hash table grows or is due to grow (memcached 1.6
/// deadlocks then; see <see cref="HashTableGrowth"/>). The decision from stats, and the wait's two ends
/// against scripted stats: a growth that finishes, and one that never does. A real server's growths are
/// in the integration tests.
/// </summary>
public class HashTableGrowthTests
{
    private static ServerStats StatsOf(params KeyValuePair<string, string>[] pairs) => ServerStats.FromPairs("test", pairs, DateTimeOffset.UtcNow);

    private static ServerStats Stats(long items, int power, int expanding) => StatsOf(
        new("curr_items", items.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("hash_power_level", power.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("hash_is_expanding", expanding.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(98_304, 16, 0, false)] // exactly 1.5 x 2^16: memcached grows only above it
    [InlineData(98_305, 16, 0, true)]
    [InlineData(200_000, 17, 0, true)] // the reference set just loaded into a 2^17 table
    [InlineData(200_000, 18, 1, true)] // growing to 2^18
    [InlineData(200_000, 18, 0, false)]
    [InlineData(0, 16, 0, false)]
    [InlineData(long.MaxValue / 4, 32, 0, false)] // the table never grows past 2^32
    public void Growth_is_due_above_one_and_a_half_items_per_bucket_or_while_expanding(long items, int power, int expanding, bool due)
    {
        Assert.Equal(due, HashTableGrowth.IsDueOrRunning(Stats(items, power, expanding), out var state));
        Assert.False(string.IsNullOrEmpty(state));
    }

    [Fact]
    public void A_server_without_the_statistics_counts_as_settled()
    {
        Assert.False(HashTableGrowth.IsDueOrRunning(StatsOf(new("pid", "1"), new("curr_items", "900000")), out _));
    }

    private static ListingOptions Fast(TimeSpan busyTimeout) => new()
    {
        BusyTimeout = busyTimeout,
        Connection = ConnectionOptions.Default with { ReadTimeout = TimeSpan.FromSeconds(3), ConnectTimeout = TimeSpan.FromSeconds(2) },
    };

    private static byte[] StatsReply(long items, int power, int expanding) => Encoding.ASCII.GetBytes(
        $"STAT pid 1\r\nSTAT time 1700000000\r\nSTAT curr_items {items}\r\nSTAT hash_power_level {power}\r\nSTAT hash_is_expanding {expanding}\r\nEND\r\n");

    [Fact]
    public async Task Listing_waits_for_a_due_growth_to_finish_and_never_sends_metadump_before()
    {
        var statsReads = 0;
        var listedAfterStatsRead = -1;
        await using var server = new ScriptedServer(line =>
        {
            switch (line)
            {
                case "stats":
                    // Due, then growing, then settled in the bigger table.
                    var read = Interlocked.Increment(ref statsReads);
                    return [read switch { 1 or 2 => StatsReply(200_000, 17, 0), 3 => StatsReply(200_000, 18, 1), _ => StatsReply(200_000, 18, 0) }];
                case "lru_crawler metadump hash":
                    listedAfterStatsRead = Volatile.Read(ref statsReads);
                    return [ScriptedServer.Ascii("key=a exp=-1 la=1 cas=1 fetch=no cls=1 size=60\nEND\r\n")];
                default:
                    return ScriptedServer.Preamble(line);
            }
        });
        var sink = new CollectingSink();
        await KeyListingService.RunAsync(new KeyListingRequest { Servers = [ServerEndpoint.Parse(server.Endpoint)], Listing = Fast(TimeSpan.FromSeconds(10)) }, sink, CancellationToken.None);

        Assert.Empty(sink.Errors);
        Assert.Equal("a", Assert.Single(sink.ResultsOf<MemcacheKeyInfo>()).Key);
        Assert.Equal(4, listedAfterStatsRead);
        Assert.Contains(sink.VerboseMessages, m => m.Contains("growth due: 200000 items in 2^17 buckets", StringComparison.Ordinal));
        Assert.Contains(sink.VerboseMessages, m => m.Contains("settled after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_growth_that_never_ends_is_a_clear_error_and_nothing_is_listed()
    {
        var listed = false;
        await using var server = new ScriptedServer(line => line switch
        {
            "stats" => [StatsReply(200_000, 18, 1)],
            "lru_crawler metadump hash" => Listed(),
            _ => ScriptedServer.Preamble(line),
        });
        var sink = new CollectingSink();
        await KeyListingService.RunAsync(new KeyListingRequest { Servers = [ServerEndpoint.Parse(server.Endpoint)], Listing = Fast(TimeSpan.FromMilliseconds(400)) }, sink, CancellationToken.None);

        var error = Assert.Single(sink.Errors);
        Assert.Equal("MemcacheHashTableGrowing", error.ErrorId);
        Assert.Contains(server.Endpoint, error.Message, StringComparison.Ordinal);
        Assert.Contains("hash_is_expanding 0", error.Message, StringComparison.Ordinal);
        Assert.False(listed);

        IEnumerable<byte[]> Listed()
        {
            listed = true;
            return [ScriptedServer.Ascii("END\r\n")];
        }
    }
}
