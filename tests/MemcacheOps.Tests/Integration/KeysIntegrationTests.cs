using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Integration;

public sealed class KeysIntegrationTests : IAsyncLifetime
{
    private MemcachedProcess _server = null!;
    private readonly List<byte[]> _specialKeys =
    [
        [0, 1, 2, 255],
        Encoding.UTF8.GetBytes("with space"),
        Encoding.UTF8.GetBytes("ünïcødé:ключ"),
        Encoding.UTF8.GetBytes(new string('k', 250)),
        Encoding.UTF8.GetBytes("tab\tkey\x7F"),
    ];

    public async Task InitializeAsync()
    {
        _server = MemcachedProcess.Start(memoryMb: 64);
        await Seeder.StoreAsync(_server.Endpoint, Seeder.Numbered("key:", 3000));
        await Seeder.StoreAsync(_server.Endpoint, _specialKeys.Select(k => new SeedItem(k, [1, 2, 3], 7, 600)));
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        return Task.CompletedTask;
    }

    private static async Task<CollectingSink> ListAsync(KeyListingRequest request)
    {
        var sink = new CollectingSink();
        await KeyListingService.RunAsync(request, sink, CancellationToken.None);
        return sink;
    }

    [Fact]
    public async Task Lists_every_key_with_exact_bytes()
    {
        var sink = await ListAsync(new KeyListingRequest { Servers = [_server.ServerEndpoint] });
        Assert.Empty(sink.Errors);
        var keys = sink.ResultsOf<MemcacheKeyInfo>().ToList();
        Assert.Equal(3000 + _specialKeys.Count, keys.Count);
        foreach (var special in _specialKeys)
            Assert.Contains(keys, k => k.KeyBytes.AsSpan().SequenceEqual(special));
        var binary = keys.Single(k => k.KeyBytes.AsSpan().SequenceEqual(new byte[] { 0, 1, 2, 255 }));
        Assert.True(binary.IsBinaryKey);
        Assert.Equal("%00%01%02%FF", binary.Key);
        var ttl = keys.Single(k => k.Key == "with space");
        Assert.NotNull(ttl.Expiration);
        Assert.InRange((ttl.Expiration!.Value - DateTimeOffset.UtcNow).TotalSeconds, 590, 610);
        Assert.Null(keys.First(k => k.Key == "key:1").Expiration);
        Assert.All(keys, k => Assert.True(k.SlabClass > 0 && k.Size > 0));
    }

    [Fact]
    public async Task Count_and_filters()
    {
        var sink = await ListAsync(new KeyListingRequest { Servers = [_server.ServerEndpoint], CountOnly = true, Filter = new KeyFilter("key:1*") });
        var count = Assert.Single(sink.ResultsOf<KeyCountResult>());
        Assert.Equal(1 + 10 + 100 + 1000, count.Count);
        Assert.Equal(ListingMethod.MetadumpHash, count.Method);

        sink = await ListAsync(new KeyListingRequest { Servers = [_server.ServerEndpoint], Filter = new KeyFilter(expiringBefore: DateTimeOffset.UtcNow.AddHours(1)) });
        Assert.Equal(_specialKeys.Count, sink.Results.Count);

        var (code, output, _) = await CliRunner.RunAsync("keys", "--server", _server.Endpoint, "--count");
        Assert.Equal(0, code);
        Assert.Equal((3000 + _specialKeys.Count).ToString(System.Globalization.CultureInfo.InvariantCulture), output.Trim());

        (code, output, _) = await CliRunner.RunAsync("keys", "--server", _server.Endpoint, "--pattern", "key:29[0-9][0-9]");
        Assert.Equal(0, code);
        Assert.Equal(100, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Early_stop_ends_the_listing_promptly_and_leaves_the_server_healthy()
    {
        for (var round = 0; round < 3; round++)
        {
            var sink = await ListAsync(new KeyListingRequest { Servers = [_server.ServerEndpoint], First = 5 });
            Assert.Equal(5, sink.Results.Count);
        }
        // A full listing right after still works (retrying BUSY if the server is still winding down).
        var full = await ListAsync(new KeyListingRequest { Servers = [_server.ServerEndpoint], CountOnly = true });
        Assert.Equal(3000 + _specialKeys.Count, Assert.Single(full.ResultsOf<KeyCountResult>()).Count);
        Assert.StartsWith("VERSION", _server.Send("version\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_consumer_spills_to_disk_and_still_gets_every_key()
    {
        var options = new ListingOptions { MemoryBufferBytes = 4096, SpillDirectory = Path.Combine(Path.GetTempPath(), "mo-spill-" + Guid.NewGuid().ToString("N")) };
        long lines = 0;
        var summary = await KeyListingService.ScanAsync(_server.ServerEndpoint, options, new CollectingSink(), async (chunk, token) =>
        {
            lines += chunk.Lines;
            await Task.Delay(2, token);
            return true;
        }, CancellationToken.None);
        Assert.Equal(3000 + _specialKeys.Count, lines);
        Assert.Equal(lines, summary.Lines);
        Assert.Empty(Directory.Exists(options.SpillDirectory) ? Directory.GetFiles(options.SpillDirectory) : []);
    }
}

/// <summary>Listing must not lose or repeat pre-existing keys while other clients read and overwrite them.</summary>
public sealed class ListingUnderLoadTests : IAsyncLifetime
{
    private const int Keys = 100_000;
    private MemcachedProcess _server = null!;

    public async Task InitializeAsync()
    {
        _server = MemcachedProcess.Start(memoryMb: 256);
        await Seeder.StoreAsync(_server.Endpoint, Seeder.Numbered("load:", Keys, 20));
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_preexisting_key_appears_exactly_once_under_reads_and_overwrites()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var traffic = Enumerable.Range(0, 2).Select(worker => Task.Run(() => TrafficAsync(worker, stop.Token))).ToArray();
        await Task.Delay(200);
        for (var round = 0; round < 3; round++)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var duplicates = 0;
            var sink = new CollectingSink();
            await KeyListingService.ScanAsync(_server.ServerEndpoint, new ListingOptions(), sink, (chunk, _) =>
            {
                foreach (var line in Encoding.ASCII.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var key = line[4..line.IndexOf(' ', StringComparison.Ordinal)];
                    if (!seen.Add(key))
                        duplicates++;
                }
                return ValueTask.FromResult(true);
            }, CancellationToken.None);
            Assert.Equal(0, duplicates);
            Assert.Equal(Keys, seen.Count);
        }
        await stop.CancelAsync();
        await Task.WhenAll(traffic);
    }

    /// <summary>Reads random existing keys and overwrites them in pipelined bursts until stopped.</summary>
    private async Task TrafficAsync(int worker, CancellationToken token)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_server.IPEndPoint, CancellationToken.None);
        var random = new Random(worker);
        var buffer = new byte[1 << 20];
        var request = new StringBuilder();
        while (!token.IsCancellationRequested)
        {
            request.Clear();
            for (var i = 0; i < 100; i++)
            {
                var n = random.Next(Keys);
                if (i % 2 == 0)
                    request.Append("mg load:").Append(n).Append(" v q\r\n");
                else
                    request.Append("ms load:").Append(n).Append(" 20 q\r\n").Append('x', 20).Append("\r\n");
            }
            request.Append("mn\r\n");
            await socket.SendAsync(Encoding.ASCII.GetBytes(request.ToString()), SocketFlags.None, CancellationToken.None);
            var received = new StringBuilder();
            while (!received.ToString().EndsWith("MN\r\n", StringComparison.Ordinal))
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None);
                if (n == 0)
                    return;
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
    }
}

/// <summary>Every way of pointing at the wrong thing gives a clear error within the configured timeout.</summary>
public sealed class ConnectionFailureTests
{
    private static readonly ConnectionOptions Short = ConnectionOptions.Default with { ConnectTimeout = TimeSpan.FromSeconds(1), ReadTimeout = TimeSpan.FromSeconds(1) };

    private static async Task<(string ErrorId, string Message, TimeSpan Elapsed)> ListAsync(string endpoint)
    {
        var sink = new CollectingSink();
        var clock = Stopwatch.StartNew();
        await KeyListingService.RunAsync(new KeyListingRequest { Servers = [ServerEndpoint.Parse(endpoint)], Listing = new ListingOptions { Connection = Short } }, sink, CancellationToken.None);
        var error = Assert.Single(sink.Errors);
        return (error.ErrorId, error.Message, clock.Elapsed);
    }

    [Fact]
    public async Task Closed_port()
    {
        var (id, message, elapsed) = await ListAsync(FreePort.Closed());
        Assert.Equal("MemcacheConnectionFailed", id);
        Assert.Contains("Check that memcached is running", message, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Unreachable_host_times_out_connecting()
    {
        // A listener that never accepts, its backlog filled: the kernel drops further SYNs, which is
        // what an unreachable host looks like to a client.
        await using var server = new ScriptedServer(_ => null, backlog: 1, accept: false);
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                try
                {
                    await s.ConnectAsync("127.0.0.1", server.Port, quick.Token);
                }
                catch (OperationCanceledException)
                {
                }
                fillers.Add(s);
            }
            var (id, message, elapsed) = await ListAsync(server.Endpoint);
            Assert.True(id is "MemcacheConnectTimeout" or "MemcacheNotResponding", $"{id}: {message}");
            Assert.InRange(elapsed.TotalSeconds, 0.5, 4);
        }
        finally
        {
            fillers.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task Port_that_is_not_memcached()
    {
        await using var http = new ScriptedServer(_ => [ScriptedServer.Ascii("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), ScriptedServer.Close]);
        var (id, message, _) = await ListAsync(http.Endpoint);
        Assert.Equal("MemcacheNotMemcached", id);
        Assert.Contains("not memcached", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Port_that_never_answers()
    {
        await using var silent = new ScriptedServer(_ => []);
        var (id, _, elapsed) = await ListAsync(silent.Endpoint);
        Assert.Equal("MemcacheNotResponding", id);
        Assert.InRange(elapsed.TotalSeconds, 0.9, 3);
    }

    [Fact]
    public async Task Server_started_with_X_refuses_listing_clearly()
    {
        using var server = MemcachedProcess.Start("-X");
        var (id, message, elapsed) = await ListAsync(server.Endpoint);
        Assert.Equal("MemcacheListingDisabled", id);
        Assert.Contains("-X", message, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(3));
    }
}
