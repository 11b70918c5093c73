using System.Text;
using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Move;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.KeySources;

/// <summary>
/// Servers that do not list their keys (memcached -X here; ElastiCache 1.6.17+ and Serverless alike): export,
/// compare and move take the keys from a key file, fetch them with mg and report the keys the server lacks.
/// </summary>
public sealed class HiddenKeysTests : IAsyncLifetime
{
    private const int Count = 3000;
    private const int Absent = 100;
    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-hidden-").FullName;
    private MemcachedProcess _server = null!;
    private List<SeedItem> _items = null!;
    private string _keyFile = null!;

    public async Task InitializeAsync()
    {
        _server = MemcachedProcess.Start("-X", memoryMb: 64);
        var random = new Random(16);
        _items = Enumerable.Range(0, Count).Select(i =>
        {
            // Text keys, keys with a space (sent base64) and binary keys; every flag bit; some with a TTL.
            var key = (i % 10) switch
            {
                0 => new byte[] { 0, 1, 2, (byte)(i >> 8), (byte)i, 0xFF },
                1 => Encoding.UTF8.GetBytes($"with space é {i}"),
                _ => Encoding.UTF8.GetBytes($"hidden:{i}"),
            };
            var value = new byte[random.Next(0, 3000)];
            random.NextBytes(value);
            return new SeedItem(key, value, i == 3 ? uint.MaxValue : (uint)random.NextInt64(0, 1L << 32), i % 3 == 0 ? 3600 : 0);
        }).ToList();
        await Seeder.StoreAsync(_server.Endpoint, _items);
        var lines = _items.Select(item => Line(item.Key))
            .Concat(Enumerable.Range(0, Absent).Select(i => $"absent:{i}"))
            .OrderBy(_ => random.Next())
            .ToArray();
        _keyFile = Path.Combine(_folder, "keys.txt");
        File.WriteAllLines(_keyFile, lines);
    }

    /// <summary>A key file line: the key as text when it is printable without spaces, else b64: and base64.</summary>
    private static string Line(byte[] key) => KeyText.IsPrintable(key) && !key.Contains((byte)' ')
        ? Encoding.UTF8.GetString(key)
        : "b64:" + Convert.ToBase64String(key);

    public Task DisposeAsync()
    {
        _server.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Without_keys_the_export_fails_saying_how_to_give_them()
    {
        var result = await CliRunner.RunAsync("export", "--server", _server.Endpoint, "--path", Path.Combine(_folder, "refused"), "--quiet");
        Assert.Equal(2, result.Code);
        Assert.Contains("started with -X", result.Errors, StringComparison.Ordinal);
        Assert.Contains("--key-file", result.Errors, StringComparison.Ordinal);
        Assert.Contains("[MemcacheListingDisabled]", result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_started_with_X_is_dumped_completely_from_a_key_file_and_the_keys_it_lacks_are_missing()
    {
        var dump = Path.Combine(_folder, "dump");
        var export = await CliRunner.RunAsync("export", "--server", _server.Endpoint, "--key-file", _keyFile, "--path", dump, "--quiet");
        Assert.True(export.Code == 0, export.Errors + export.Output);
        Assert.Contains($"listed {Count + Absent:N0}, dumped {Count:N0}, missing {Absent}", export.Output, StringComparison.Ordinal);

        // The dump holds every item exactly: load it into an empty server and read every item back.
        using var copy = MemcachedProcess.Start(memoryMb: 64);
        var import = await CliRunner.RunAsync("import", "--path", dump, "--server", copy.Endpoint, "--quiet");
        Assert.True(import.Code == 0, import.Errors + import.Output);
        Assert.Equal(Count, copy.Stat("curr_items"));
        var read = await ItemReader.ReadAsync(copy.Endpoint, _items.Select(i => i.Key));
        Assert.Equal(Count, read.Count);
        foreach (var item in _items)
        {
            var got = read[ItemReader.Id(item.Key)];
            Assert.Equal(item.Value, got.Value);
            Assert.Equal(item.Flags, got.Flags);
            if (item.Ttl == 0)
                Assert.Equal(-1, got.Ttl);
            else
                Assert.InRange(got.Ttl, 3600 - 120, 3600);
        }
    }

    [Fact]
    public async Task Compare_and_move_take_the_keys_from_the_key_file()
    {
        using var target = MemcachedProcess.Start(memoryMb: 64);
        var keys = KeySource.FromFile(_keyFile);
        var sink = new CollectingSink();
        var results = await MoveService.RunAsync(new MoveOptions
        {
            Sources = [_server.ServerEndpoint],
            Destinations = [target.ServerEndpoint],
            Keys = keys,
            Passes = 2,
        }, sink, CancellationToken.None);
        var moved = Assert.Single(results);
        Assert.True(moved.Status == MoveStatus.Successful, string.Join("; ", moved.Notes));
        Assert.Equal(Count, moved.Copied);
        Assert.Equal(0, moved.Residual);
        Assert.Contains(moved.Notes, n => n.Contains($"{Absent} of the given keys", StringComparison.Ordinal));

        var summary = await CompareService.RunAsync(new ComparisonOptions
        {
            Reference = CompareSide.FromServers([_server.ServerEndpoint]),
            Difference = CompareSide.FromServers([target.ServerEndpoint]),
            Keys = keys,
            Summary = true,
        }, sink, CancellationToken.None);
        Assert.True(summary.IsEqual, string.Join("; ", summary.Notes));
        Assert.Equal(Count, summary.Compared);
        Assert.Contains(summary.Notes, n => n.Contains($"not held by the reference: {Absent}", StringComparison.Ordinal));

        // A key the target lost is found.
        Assert.Equal("DELETED\r\n", target.Send("delete hidden:2\r\n"));
        var after = await CompareService.RunAsync(new ComparisonOptions
        {
            Reference = CompareSide.FromServers([_server.ServerEndpoint]),
            Difference = CompareSide.FromServers([target.ServerEndpoint]),
            Keys = keys,
        }, sink, CancellationToken.None);
        Assert.Equal(1, after.Missing);
        Assert.Equal("hidden:2", Assert.Single(sink.ResultsOf<MemcacheDifference>()).Key);
    }

    [Fact]
    public async Task A_server_whose_crawler_is_off_is_listed_with_cachedump_and_a_loud_warning()
    {
        using var server = MemcachedProcess.Start("-o no_lru_crawler");
        await Seeder.StoreAsync(server.Endpoint, Seeder.Numbered("cold:", 20));
        var sink = new CollectingSink();
        await KeyListingService.RunAsync(new KeyListingRequest { Servers = [ServerEndpoint.Parse(server.Endpoint)] }, sink, CancellationToken.None);
        Assert.Empty(sink.Errors);
        Assert.Contains(sink.Warnings, w => w.Contains("stats cachedump", StringComparison.Ordinal) && w.Contains("MISSING", StringComparison.Ordinal));
    }
}
