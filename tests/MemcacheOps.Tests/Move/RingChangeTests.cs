using System.Text;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Move;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Routing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Move;

/// <summary>
/// Ring changes (3 -> 5 nodes) and warming one node. Owners are computed with the plain reference
/// ketama of the routing tests, not with the ring the move uses.
/// </summary>
public sealed class RingChangeTests : IAsyncLifetime
{
    private const int KeyCount = 3000;
    private readonly List<MemcachedProcess> _servers = [];

    public Task InitializeAsync()
    {
        for (var i = 0; i < 5; i++)
            _servers.Add(MemcachedProcess.Start(memoryMb: 64));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        foreach (var server in _servers)
            server.Dispose();
        return Task.CompletedTask;
    }

    private static ReferenceKetama Ring(IEnumerable<MemcachedProcess> servers)
        => ReferenceKetama.Spymemcached(servers.Select(s => $"127.0.0.1/127.0.0.1:{s.Port}").ToList());

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"ring:{i}");

    private static byte[] Value(int i) => Encoding.UTF8.GetBytes($"value-{i}-" + new string((char)('a' + i % 26), i % 200));

    /// <summary>
    /// Loads every key onto its owner on the old ring of the first three servers, plus a few strays
    /// (keys sitting on a server that does not own them, as left behind by an earlier change).
    /// Returns, per key index, the server it was stored on.
    /// </summary>
    private async Task<int[]> SeedOldRingAsync(ReferenceKetama oldRing, int strays)
    {
        var location = new int[KeyCount];
        var perServer = Enumerable.Range(0, 3).Select(_ => new List<SeedItem>()).ToArray();
        for (var i = 0; i < KeyCount; i++)
        {
            var owner = oldRing.Owner(Key(i));
            location[i] = i < strays ? (owner + 1) % 3 : owner;
            perServer[location[i]].Add(new SeedItem(Key(i), Value(i), (uint)i));
        }
        for (var s = 0; s < 3; s++)
            await Seeder.StoreAsync(_servers[s].Endpoint, perServer[s]);
        return location;
    }

    private MoveOptions ScaleOut(bool onlyMoved) => new()
    {
        Sources = _servers.Take(3).Select(s => s.ServerEndpoint).ToList(),
        Destinations = _servers.Select(s => s.ServerEndpoint).ToList(),
        OnlyMoved = onlyMoved,
    };

    private async Task<Dictionary<string, ItemSnapshot>[]> ReadAllAsync()
    {
        var keys = Enumerable.Range(0, KeyCount).Select(Key).ToList();
        return await Task.WhenAll(_servers.Select(s => ItemReader.ReadAsync(s.Endpoint, keys)));
    }

    [Fact]
    public async Task Scale_out_from_3_to_5_puts_every_key_on_its_new_owner()
    {
        var oldRing = Ring(_servers.Take(3));
        var newRing = Ring(_servers);
        var location = await SeedOldRingAsync(oldRing, strays: 50);

        var sink = new CollectingSink();
        var results = await MoveService.RunAsync(ScaleOut(onlyMoved: false), sink, CancellationToken.None);

        Assert.Empty(sink.Errors);
        Assert.All(results, r => Assert.Equal(MoveStatus.Successful, r.Status));
        var contents = await ReadAllAsync();
        var expectedCopies = 0;
        for (var i = 0; i < KeyCount; i++)
        {
            var owner = newRing.Owner(Key(i));
            Assert.True(contents[owner].TryGetValue(ItemReader.Id(Key(i)), out var item), $"key {i} missing on its new owner {owner}");
            Assert.Equal(Value(i), item.Value);
            Assert.Equal((uint)i, item.Flags);
            if (owner != location[i])
                expectedCopies++;
        }
        Assert.Equal(expectedCopies, results.Sum(r => r.Copied));
        // Nothing is ever copied onto the server it was read from.
        for (var s = 0; s < 5; s++)
            Assert.Equal(contents[s].Count, location.Count(l => l == s) + results[s].Copied);
    }

    [Fact]
    public async Task OnlyMoved_copies_exactly_the_keys_whose_owner_changed()
    {
        var oldRing = Ring(_servers.Take(3));
        var newRing = Ring(_servers);
        var location = await SeedOldRingAsync(oldRing, strays: 50);

        var results = await MoveService.RunAsync(ScaleOut(onlyMoved: true), new CollectingSink(), CancellationToken.None);

        Assert.All(results, r => Assert.Equal(MoveStatus.Successful, r.Status));
        var contents = await ReadAllAsync();
        var moved = 0;
        for (var i = 0; i < KeyCount; i++)
        {
            var oldOwner = oldRing.Owner(Key(i));
            var newOwner = newRing.Owner(Key(i));
            var id = ItemReader.Id(Key(i));
            var copied = oldOwner != newOwner && newOwner != location[i];
            if (copied)
            {
                moved++;
                Assert.True(contents[newOwner].ContainsKey(id), $"moved key {i} missing on {newOwner}");
            }
            for (var s = 0; s < 5; s++)
            {
                // A server holds a key only where it was seeded or where it moved to.
                Assert.Equal(s == location[i] || (copied && s == newOwner), contents[s].ContainsKey(id));
            }
        }
        Assert.True(moved > KeyCount / 4, "a 3 -> 5 change should move a good share of the keys");
        Assert.Equal(moved, results.Sum(r => r.Copied));
        var plannedStrayCopies = Enumerable.Range(0, 50).Count(i => oldRing.Owner(Key(i)) == newRing.Owner(Key(i)) && newRing.Owner(Key(i)) != location[i]);
        Assert.True(plannedStrayCopies > 0, "some strays must be left alone by -OnlyMoved for this test to mean anything");
    }

    [Fact]
    public async Task Warming_one_replaced_node_copies_only_the_keys_it_owns()
    {
        // Replica 1 (servers 0 and 1) holds every key. Replica 2 is a ring of three servers in which
        // server 2 was replaced by an empty one: warm just that node from replica 1.
        var replica1 = Ring(_servers.Take(2));
        var perServer = new[] { new List<SeedItem>(), new List<SeedItem>() };
        for (var i = 0; i < KeyCount; i++)
            perServer[replica1.Owner(Key(i))].Add(new SeedItem(Key(i), Value(i), (uint)i));
        await Seeder.StoreAsync(_servers[0].Endpoint, perServer[0]);
        await Seeder.StoreAsync(_servers[1].Endpoint, perServer[1]);
        // The other two nodes of replica 2 are only names on the ring: they are never contacted.
        var replica2 = new[] { "127.0.0.1:1", "127.0.0.1:2", _servers[2].Endpoint };
        var replica2Reference = ReferenceKetama.Spymemcached(replica2.Select(e => "127.0.0.1/" + e).ToList());

        var results = await MoveService.RunAsync(new MoveOptions
        {
            Sources = [_servers[0].ServerEndpoint, _servers[1].ServerEndpoint],
            Destinations = [_servers[2].ServerEndpoint],
            RingServers = KetamaNode.ParseList(replica2),
        }, new CollectingSink(), CancellationToken.None);

        var result = Assert.Single(results);
        Assert.Equal(MoveStatus.Successful, result.Status);
        var owned = Enumerable.Range(0, KeyCount).Where(i => replica2Reference.Owner(Key(i)) == 2).ToList();
        Assert.Equal(owned.Count, result.Copied);
        var warmed = await MoveVerifier.SnapshotAsync(_servers[2].Endpoint);
        Assert.Equal(owned.Select(i => ItemReader.Id(Key(i))).Order(), warmed.Keys.Order());
    }
}
