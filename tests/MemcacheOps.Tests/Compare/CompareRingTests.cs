using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;
using static MemcacheOps.Tests.Compare.CompareRunner;

namespace MemcacheOps.Tests.Compare;

/// <summary>A ring of three servers against one server that holds everything: keys are looked up on their ketama owner.</summary>
public sealed class CompareRingTests : IAsyncLifetime
{
    private readonly MemcachedProcess[] _ring = new MemcachedProcess[3];
    private MemcachedProcess _single = null!;
    private string[] _ringEndpoints = [];
    private KetamaRing _ketama = null!;
    private readonly List<SeedItem> _items = [];

    public async Task InitializeAsync()
    {
        for (var i = 0; i < _ring.Length; i++)
            _ring[i] = MemcachedProcess.Start(memoryMb: 64);
        _single = MemcachedProcess.Start(memoryMb: 64);
        _ringEndpoints = _ring.Select(r => r.Endpoint).ToArray();
        _ketama = new KetamaRing(_ringEndpoints.Select(e => new KetamaNode(ServerEndpoint.Parse(e))), KetamaForm.Spymemcached, 160);
        for (var i = 0; i < 900; i++)
            _items.Add(new SeedItem(Utf8($"ring:{i}"), Utf8($"value {i}"), (uint)i, i % 2 == 0 ? 0 : 3600));
        _items.Add(new SeedItem([0xFF, 0x00, 0x20], Utf8("binary"), 7));
        await Seeder.StoreAsync(_single.Endpoint, _items);
        await PlaceOnOwnersAsync(_items);
    }

    public Task DisposeAsync()
    {
        foreach (var server in _ring)
            server?.Dispose();
        _single.Dispose();
        return Task.CompletedTask;
    }

    private async Task PlaceOnOwnersAsync(IEnumerable<SeedItem> items)
    {
        foreach (var group in items.GroupBy(i => _ketama.GetOwnerIndex(i.Key)))
            await Seeder.StoreAsync(_ringEndpoints[group.Key], group);
    }

    [Fact]
    public async Task Single_server_and_ring_holding_the_same_items_are_equal_both_ways()
    {
        Assert.All(_ring, r => Assert.Contains("curr_items", r.Send("stats\r\n", "END\r\n"), StringComparison.Ordinal));

        var forward = await RunAsync(Servers(_single.Endpoint), Servers(_ringEndpoints));
        var backward = await RunAsync(Servers(_ringEndpoints), Servers(_single.Endpoint));

        Assert.Empty(forward.Differences);
        Assert.Empty(backward.Differences);
        Assert.Equal(_items.Count, forward.Summary.Equal);
        Assert.Equal(_items.Count, backward.Summary.Equal);
        Assert.Equal(string.Join(",", _ringEndpoints), forward.Summary.Difference);
    }

    [Fact]
    public async Task A_key_on_the_wrong_ring_server_is_missing_on_its_owner()
    {
        var misplaced = new SeedItem(Utf8("misplaced"), Utf8("here"), 1);
        var owner = _ketama.GetOwnerIndex(misplaced.Key);
        var wrong = (owner + 1) % _ring.Length;
        await Seeder.StoreAsync(_single.Endpoint, [misplaced]);
        await Seeder.StoreAsync(_ringEndpoints[wrong], [misplaced]);
        var onlyOnRing = new SeedItem(Utf8("only-on-ring"), Utf8("x"), 2);
        await PlaceOnOwnersAsync([onlyOnRing]);

        var (summary, differences, _) = await RunAsync(Servers(_single.Endpoint), Servers(_ringEndpoints));

        Assert.Equal(["misplaced=Missing", "only-on-ring=Extra"], Kinds(differences));
        var missing = differences.Single(d => d.Kind == DifferenceKind.Missing);
        Assert.Equal(_ringEndpoints[owner], missing.DifferenceServer); // clients would look on the owner
        var extra = differences.Single(d => d.Kind == DifferenceKind.Extra);
        Assert.Equal(_ringEndpoints[_ketama.GetOwnerIndex(onlyOnRing.Key)], extra.DifferenceServer);
        Assert.Equal(_single.Endpoint, extra.ReferenceServer);
        Assert.Equal(_items.Count + 2, summary.Compared);
    }

    [Fact]
    public async Task The_libmemcached_form_places_keys_differently()
    {
        // The items were placed for the spymemcached form; read as a libmemcached ring most owners change.
        var (_, differences, _) = await RunAsync(Servers(_single.Endpoint), Servers(_ringEndpoints), o => o with { Ring = new RingOptions { Form = RingForm.Libmemcached } });

        var libmemcached = new KetamaRing(_ringEndpoints.Select(e => new KetamaNode(ServerEndpoint.Parse(e))), KetamaForm.Libmemcached, 160);
        var moved = _items.Count(i => libmemcached.GetOwnerIndex(i.Key) != _ketama.GetOwnerIndex(i.Key));
        Assert.True(moved > 0);
        Assert.Equal(moved, differences.Count(d => d.Kind == DifferenceKind.Missing));
        Assert.Equal(0, differences.Count(d => d.Kind != DifferenceKind.Missing));
    }
}
