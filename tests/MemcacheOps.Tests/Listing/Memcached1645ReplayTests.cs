using System.Globalization;
using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Listing;

/// <summary>
/// The exact replies of memcached 1.6.45 (Replies/memcached-1.6.45, recorded from the release; the test
/// machines only have 1.6.18), replayed by a loopback server: since 1.6.43 a listing starts with an OK line
/// and its key lines carry flags= and a trailing space. The listing is read by its grammar, so every key
/// comes through, whatever pieces the reply arrives in.
/// </summary>
public class Memcached1645ReplayTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Replies", "memcached-1.6.45");

    /// <summary>The four items the recording server held: user:1 (flags 7), session:abc (flags 2^32-1, TTL 3600), opw (stored as base64 b3B3), empty.</summary>
    private static readonly string[] RecordedKeys = ["empty", "user:1", "session:abc", "opw"];

    private static readonly ListingOptions Fast = new()
    {
        BusyInitialDelay = TimeSpan.FromMilliseconds(10),
        BusyTimeout = TimeSpan.FromSeconds(5),
        Connection = ConnectionOptions.Default with { ReadTimeout = TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromSeconds(2) },
    };

    private static byte[] Reply(string name) => File.ReadAllBytes(Path.Combine(Folder, name));

    /// <summary>A loopback 1.6.45: version, stats, stats settings and both listings as recorded, each listing cut into the pieces given.</summary>
    private static ScriptedServer Server(Func<byte[], IEnumerable<byte[]>>? cut = null, Func<string, IEnumerable<byte[]>?>? more = null)
    {
        cut ??= reply => [reply];
        return new ScriptedServer(line => line switch
        {
            "version" => [Reply("version.reply")],
            "stats" => [Reply("stats.reply")],
            "stats settings" => [Reply("stats-settings.reply")],
            "lru_crawler metadump hash" => cut(Reply("metadump-hash.reply")),
            "lru_crawler metadump all" => cut(Reply("metadump-all.reply")),
            _ => more?.Invoke(line),
        });
    }

    private static async Task<(List<MemcacheKeyInfo> Keys, CollectingSink Sink)> ListAsync(string endpoint, ListingMethod method = ListingMethod.Auto, bool count = false)
    {
        var sink = new CollectingSink();
        await KeyListingService.RunAsync(new KeyListingRequest
        {
            Servers = [ServerEndpoint.Parse(endpoint)],
            Listing = Fast with { Method = method },
            CountOnly = count,
        }, sink, CancellationToken.None);
        return (sink.ResultsOf<MemcacheKeyInfo>().ToList(), sink);
    }

    [Theory]
    [InlineData(ListingMethod.Auto)]
    [InlineData(ListingMethod.MetadumpHash)]
    [InlineData(ListingMethod.MetadumpAll)]
    public async Task The_recorded_listing_yields_every_key_with_its_fields(ListingMethod method)
    {
        await using var server = Server();
        var (keys, sink) = await ListAsync(server.Endpoint, method);
        Assert.Empty(sink.Errors);
        if (method == ListingMethod.MetadumpAll)
        {
            // Asked for by name, the LRU walk is listed with its warning: on a live server it can miss or repeat keys.
            Assert.Contains("may be incomplete", Assert.Single(sink.Warnings), StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(sink.Warnings);
        }
        Assert.Equal(RecordedKeys.Order(), keys.Select(k => k.Key).Order());
        var session = keys.Single(k => k.Key == "session:abc");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1796690284), session.Expiration);
        Assert.Equal(3UL, session.Cas);
        Assert.Equal(77, session.Size);
        Assert.Null(keys.Single(k => k.Key == "user:1").Expiration);
        Assert.Equal("opw"u8.ToArray(), keys.Single(k => k.Key == "opw").KeyBytes);
    }

    [Fact]
    public async Task Counting_the_recorded_listing_does_not_count_its_OK_line()
    {
        await using var server = Server();
        var (_, sink) = await ListAsync(server.Endpoint, count: true);
        Assert.Empty(sink.Errors);
        var count = Assert.Single(sink.ResultsOf<KeyCountResult>());
        Assert.Equal(4, count.Count);
        Assert.Equal(ListingMethod.MetadumpHash, count.Method);
    }

    [Fact]
    public async Task Every_split_of_the_recorded_listing_yields_every_key()
    {
        // Cuts at every offset: the OK line, the key lines and END can each arrive across reads.
        var length = Reply("metadump-hash.reply").Length;
        for (var at = 1; at < length; at++)
        {
            var cutAt = at;
            await using var server = Server(reply => [reply[..cutAt], reply[cutAt..]]);
            var (keys, sink) = await ListAsync(server.Endpoint, ListingMethod.MetadumpHash);
            Assert.True(sink.Errors.Count == 0, $"cut at {cutAt}: {string.Join("; ", sink.Errors.Select(e => e.Message))}");
            Assert.Equal(RecordedKeys.Order(), keys.Select(k => k.Key).Order());
        }
    }

    [Fact]
    public void The_recorded_key_lines_parse_by_field_name_with_flags()
    {
        var text = Encoding.ASCII.GetString(Reply("metadump-hash.reply"));
        var line = text.Split('\n').Single(l => l.StartsWith("key=session%3Aabc ", StringComparison.Ordinal));
        Assert.True(MetadumpEntry.TryParse(Encoding.ASCII.GetBytes(line), out var entry));
        Assert.Equal(4294967295u, entry.ClientFlags);
        Assert.Equal(1796690284, entry.Expiry);
        Assert.Equal(1796686684, entry.LastAccess);
        Assert.Equal(77, entry.Size);
        Assert.False(MetadumpEntry.TryParse("OK"u8, out _));
    }

    [Fact]
    public async Task The_recorded_stats_and_settings_are_read()
    {
        await using var server = Server();
        var (connection, info) = await ServerProbe.ConnectAsync(ServerEndpoint.Parse(server.Endpoint), Fast.Connection, CancellationToken.None);
        using (connection)
        {
            Assert.Equal(new Version(1, 6, 45), info.Version);
            Assert.True(info.SupportsMetadumpHash);
            var general = ServerStats.FromPairs(server.Endpoint, await StatsReader.ReadAsync(connection, StatsGroup.General, CancellationToken.None), DateTimeOffset.UtcNow);
            Assert.Equal("1.6.45", general.Version);
            Assert.Equal(67108864, general.LimitBytes);
            Assert.Equal("none", general.Raw["slab_reassign_last_busy_status"]); // a text value among the numbers since 1.6.2x
            var settings = await StatsService.ReadSettingsAsync(connection, CancellationToken.None);
            Assert.Equal(1048576, settings.ItemSizeMax);
            Assert.True(settings.CasEnabled);
            Assert.True(settings.LruCrawler);
            Assert.Equal("4", settings.Raw["client_flags_size"]);
        }
    }

    [Fact]
    public async Task An_export_of_the_recorded_listing_dumps_every_key()
    {
        // Values are not part of the recording: the loopback answers mg with made-up values, flags as recorded.
        var values = new Dictionary<string, (uint Flags, string Value)>
        {
            ["user:1"] = (7, "one"),
            ["session:abc"] = (4294967295, "session-data"),
            ["opw"] = (0, "\u0001binary"),
            ["empty"] = (0, ""),
        };
        await using var server = Server(more: line =>
        {
            if (line == "mn")
                return [ScriptedServer.Ascii("MN\r\n")];
            // mg <key> v f t q u O<i>
            var tokens = line.Split(' ');
            if (tokens[0] != "mg" || !values.TryGetValue(tokens[1], out var item))
                return [];
            var opaque = tokens.Single(t => t.StartsWith('O'));
            return [ScriptedServer.Ascii(string.Create(CultureInfo.InvariantCulture, $"VA {item.Value.Length} f{item.Flags} t-1 {opaque}\r\n{item.Value}\r\n"))];
        });
        var folder = Directory.CreateTempSubdirectory("memcacheops-1645-").FullName;
        try
        {
            var sink = new CollectingSink();
            var result = await ExportService.RunAsync(new ExportOptions
            {
                Servers = [ServerEndpoint.Parse(server.Endpoint)],
                Path = Path.Combine(folder, "dump"),
                Connections = 1,
                Listing = Fast,
                Connection = Fast.Connection,
            }, sink, CancellationToken.None);
            Assert.Empty(sink.Errors);
            Assert.True(result.Complete);
            Assert.Equal(4, result.Listed);
            Assert.Equal(4, result.Dumped);
            Assert.Equal(0, result.Missing);
            var records = result.DataFiles.SelectMany(file => Dump.DumpTestData.ReadAll(file)).ToList();
            Assert.Equal(values.Keys.Order(), records.Select(r => Encoding.UTF8.GetString(r.Key)).Order());
            Assert.Equal(4294967295u, records.Single(r => r.Key.AsSpan().SequenceEqual("session:abc"u8)).Flags);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_server_started_with_X_gets_an_error_that_says_how_to_give_keys()
    {
        // disabled-X.reply: metadump's refusal, then cachedump's.
        var lines = Encoding.ASCII.GetString(Reply("disabled-X.reply")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        await using var server = Server(reply => [Encoding.ASCII.GetBytes(lines[0] + "\r\n")], line => line switch
        {
            "stats items" => [ScriptedServer.Ascii("STAT items:1:number 4\r\nEND\r\n")],
            "stats cachedump 1 0" => [Encoding.ASCII.GetBytes(lines[1] + "\r\n")],
            _ => null,
        });
        var (keys, sink) = await ListAsync(server.Endpoint);
        Assert.Empty(keys);
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MemcacheListingDisabled", error.ErrorId);
        Assert.Contains("-X", error.Message, StringComparison.Ordinal);
        Assert.Contains("--key-file", error.Message, StringComparison.Ordinal);
        Assert.Empty(sink.Warnings); // no cachedump warning when cachedump is refused too
    }
}
