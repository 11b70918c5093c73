using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Listing;

/// <summary>The listing drainer against scripted byte streams: splits, BUSY, fallbacks and refusals.</summary>
public class ListingStreamTests
{
    private const string Lines =
        "key=plain exp=-1 la=1795236347 cas=100079 fetch=yes cls=1 size=71\n" +
        "key=ttl%3Akey%2F1 exp=1795236947 la=1795236347 cas=100080 fetch=no cls=1 size=71\n" +
        "key=%00%01%02%FF exp=1795236447 la=1795236347 cas=100083 fetch=no cls=1 size=65\n";

    private static readonly ListingOptions Fast = new()
    {
        BusyInitialDelay = TimeSpan.FromMilliseconds(10),
        BusyTimeout = TimeSpan.FromSeconds(5),
        Connection = ConnectionOptions.Default with { ReadTimeout = TimeSpan.FromSeconds(3), ConnectTimeout = TimeSpan.FromSeconds(2) },
    };

    private static async Task<(List<MemcacheKeyInfo> Keys, CollectingSink Sink)> ListAsync(string endpoint, ListingOptions? options = null)
    {
        var sink = new CollectingSink();
        await KeyListingService.RunAsync(new KeyListingRequest { Servers = [ServerEndpoint.Parse(endpoint)], Listing = options ?? Fast }, sink, CancellationToken.None);
        return (sink.ResultsOf<MemcacheKeyInfo>().ToList(), sink);
    }

    [Fact]
    public async Task Every_split_of_the_listing_stream_yields_the_same_keys()
    {
        var stream = Encoding.ASCII.GetBytes(Lines + "END\r\n");
        // Cuts at every offset (in two pieces) exercise line and END detection across reads.
        for (var cut = 1; cut < stream.Length; cut += 1)
        {
            var pieces = new[] { stream[..cut], stream[cut..] };
            await using var server = new ScriptedServer(line => line == "lru_crawler metadump hash" ? pieces : ScriptedServer.Preamble(line));
            var (keys, sink) = await ListAsync(server.Endpoint);
            Assert.Empty(sink.Errors);
            Assert.Equal(["plain", "ttl:key/1", "%00%01%02%FF"], keys.Select(k => k.Key));
            Assert.Equal(new byte[] { 0, 1, 2, 255 }, keys[2].KeyBytes);
            Assert.True(keys[2].IsBinaryKey);
            Assert.Null(keys[0].Expiration);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795236947), keys[1].Expiration);
        }
    }

    [Fact]
    public async Task Busy_is_retried_with_backoff()
    {
        var attempts = 0;
        await using var server = new ScriptedServer(line =>
        {
            if (line != "lru_crawler metadump hash")
                return ScriptedServer.Preamble(line);
            return ++attempts < 3
                ? [ScriptedServer.Ascii("BUSY currently processing crawler request\r\n")]
                : [ScriptedServer.Ascii(Lines + "END\r\n")];
        });
        var (keys, sink) = await ListAsync(server.Endpoint);
        Assert.Equal(3, keys.Count);
        Assert.Equal(3, attempts);
        Assert.Empty(sink.Errors);
    }

    [Fact]
    public async Task Busy_forever_becomes_a_clear_error()
    {
        await using var server = new ScriptedServer(line => line.StartsWith("lru_crawler", StringComparison.Ordinal)
            ? [ScriptedServer.Ascii("BUSY currently processing crawler request\r\n")]
            : ScriptedServer.Preamble(line));
        var (_, sink) = await ListAsync(server.Endpoint, Fast with { BusyTimeout = TimeSpan.FromMilliseconds(300) });
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MemcacheListingBusy", error.ErrorId);
    }

    [Fact]
    public async Task Old_server_without_hash_falls_back_to_all_with_a_warning()
    {
        await using var server = new ScriptedServer(line => line switch
        {
            "version" => [ScriptedServer.Ascii("VERSION 1.5.22\r\n")],
            "lru_crawler metadump all" => [ScriptedServer.Ascii(Lines + "END\r\n")],
            _ => ScriptedServer.Preamble(line),
        });
        var (keys, sink) = await ListAsync(server.Endpoint);
        Assert.Equal(3, keys.Count);
        Assert.Contains(sink.Warnings, w => w.Contains("metadump all", StringComparison.Ordinal) && w.Contains("miss", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disabled_crawler_falls_back_to_cachedump_with_a_loud_warning()
    {
        await using var server = new ScriptedServer(line => line switch
        {
            "lru_crawler metadump hash" => [ScriptedServer.Ascii("CLIENT_ERROR lru crawler disabled\r\n")],
            "stats items" => [ScriptedServer.Ascii("STAT items:1:number 2\r\nSTAT items:1:age 5\r\nEND\r\n")],
            "stats cachedump 1 0" => [ScriptedServer.Ascii("ITEM a:1 [3 b; 0 s]\r\nITEM b:2 [5 b; 1700000100 s]\r\nEND\r\n")],
            _ => ScriptedServer.Preamble(line),
        });
        var (keys, sink) = await ListAsync(server.Endpoint);
        Assert.Equal(["a:1", "b:2"], keys.Select(k => k.Key));
        Assert.Null(keys[0].Expiration);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000100), keys[1].Expiration);
        Assert.Contains(sink.Warnings, w => w.Contains("MISSING", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connection_cut_mid_listing_is_an_error_not_a_short_listing()
    {
        var stream = Encoding.ASCII.GetBytes(Lines);
        await using var server = new ScriptedServer(line => line == "lru_crawler metadump hash"
            ? CutAfter(stream)
            : ScriptedServer.Preamble(line));
        var (_, sink) = await ListAsync(server.Endpoint);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MemcacheConnectionLost", error.ErrorId);

        static IEnumerable<byte[]>? CutAfter(byte[] bytes) => [bytes, ScriptedServer.Close];
    }

    [Fact]
    public async Task Silent_listing_times_out()
    {
        await using var server = new ScriptedServer(line => line == "lru_crawler metadump hash" ? [ScriptedServer.Ascii("key=a exp=-1 la=1 cas=1 fetch=no cls=1 size=1\n")] : ScriptedServer.Preamble(line));
        var (_, sink) = await ListAsync(server.Endpoint, Fast with { Connection = Fast.Connection with { ReadTimeout = TimeSpan.FromMilliseconds(500) } });
        Assert.Equal("MemcacheReadTimeout", Assert.Single(sink.Errors).ErrorId);
    }
}
