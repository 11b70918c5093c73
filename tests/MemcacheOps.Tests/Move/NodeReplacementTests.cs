using System.Text;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Move;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Move;

/// <summary>Node replacement: every item of the source arrives on the destination with value, flags and remaining TTL.</summary>
public sealed class NodeReplacementTests : IAsyncLifetime
{
    private MemcachedProcess _source = null!;
    private MemcachedProcess _destination = null!;
    private readonly List<SeedItem> _items = [];

    public async Task InitializeAsync()
    {
        _source = MemcachedProcess.Start(memoryMb: 128);
        _destination = MemcachedProcess.Start(memoryMb: 128);
        var random = new Random(11);
        byte[] Bytes(int n)
        {
            var b = new byte[n];
            random.NextBytes(b);
            return b;
        }
        _items.AddRange(
        [
            new SeedItem([0, 1, 2, 255], Bytes(10), 1),                          // binary key: needs base64
            new SeedItem(Encoding.UTF8.GetBytes("sp ace\r\nkey"), Bytes(5), 2), // space and CRLF in the key
            new SeedItem(Encoding.UTF8.GetBytes("empty"), [], 3),
            new SeedItem(Encoding.UTF8.GetBytes("flags:max"), Bytes(7), uint.MaxValue),
            new SeedItem(Encoding.UTF8.GetBytes(new string('k', 250)), Bytes(100), 5),
            new SeedItem(Encoding.UTF8.GetBytes("ttl:short"), Bytes(30), 9, 120),
            new SeedItem(Encoding.UTF8.GetBytes("ttl:long"), Bytes(30), 9, 2_000_000),
            new SeedItem(Encoding.UTF8.GetBytes("big"), Bytes(900_000), 4),
        ]);
        for (var i = 0; i < 5000; i++)
            _items.Add(new SeedItem(Encoding.UTF8.GetBytes($"bulk:{i}"), Bytes(random.Next(0, 3000)), (uint)i, i % 3 == 0 ? 0 : 3600));
        await Seeder.StoreAsync(_source.Endpoint, _items);
    }

    public Task DisposeAsync()
    {
        _source.Dispose();
        _destination.Dispose();
        return Task.CompletedTask;
    }

    private MoveOptions Options(StoreMode mode = StoreMode.Add) => new()
    {
        Sources = [_source.ServerEndpoint],
        Destinations = [_destination.ServerEndpoint],
        Mode = mode,
        BatchSize = 50,
    };

    [Fact]
    public async Task Copies_every_item_with_value_flags_and_ttl()
    {
        var sink = new CollectingSink();
        var results = await MoveService.RunAsync(Options(), sink, CancellationToken.None);

        Assert.Empty(sink.Errors);
        var result = Assert.Single(results);
        Assert.Equal(MoveStatus.Successful, result.Status);
        Assert.Equal(_items.Count, result.Copied);
        Assert.Equal(0, result.Skipped);
        Assert.Equal(0, result.Failed);
        Assert.Equal(1, result.Passes);
        Assert.Equal(0, result.Residual);
        Assert.Equal(_items.Sum(i => (long)i.Value.Length), result.Bytes);
        Assert.Equal(_source.Endpoint, result.Source);
        Assert.Equal(_destination.Endpoint, result.Destination);

        var expected = await ItemReader.ReadAsync(_source.Endpoint, _items.Select(i => i.Key));
        var actual = await ItemReader.ReadAsync(_destination.Endpoint, _items.Select(i => i.Key));
        Assert.Equal(_items.Count, expected.Count);
        foreach (var (key, want) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var got), $"missing {key}");
            Assert.Equal(want.Value, got.Value);
            Assert.Equal(want.Flags, got.Flags);
            if (want.Ttl < 0)
                Assert.Equal(-1, got.Ttl);
            else
                Assert.InRange(got.Ttl, want.Ttl - 2, want.Ttl + 2);
        }
        Assert.Empty(await MoveVerifier.DifferencesAsync(_source.Endpoint, _destination.Endpoint));
    }

    [Fact]
    public async Task Add_mode_keeps_the_destinations_fresher_key_and_Set_overwrites_it()
    {
        var key = Encoding.UTF8.GetBytes("bulk:7");
        await Seeder.StoreAsync(_destination.Endpoint, [new SeedItem(key, "fresh"u8.ToArray(), 77)]);

        var add = Assert.Single(await MoveService.RunAsync(Options(), new CollectingSink(), CancellationToken.None));
        Assert.Equal(MoveStatus.Successful, add.Status);
        Assert.Equal(_items.Count - 1, add.Copied);
        Assert.Equal(1, add.Skipped);
        Assert.Contains(add.Notes, n => n.Contains("already on the destination", StringComparison.Ordinal));
        var kept = (await ItemReader.ReadAsync(_destination.Endpoint, [key]))[ItemReader.Id(key)];
        Assert.Equal("fresh"u8.ToArray(), kept.Value);
        Assert.Equal(77u, kept.Flags);

        var set = Assert.Single(await MoveService.RunAsync(Options(StoreMode.Set), new CollectingSink(), CancellationToken.None));
        Assert.Equal(_items.Count, set.Copied);
        var overwritten = (await ItemReader.ReadAsync(_destination.Endpoint, [key]))[ItemReader.Id(key)];
        Assert.Equal(_items.Single(i => i.Key.AsSpan().SequenceEqual(key)).Value, overwritten.Value);
    }
}
