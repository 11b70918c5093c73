using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Export;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;
using static MemcacheOps.Tests.Compare.CompareRunner;

namespace MemcacheOps.Tests.Compare;

/// <summary>Servers against dumps and dumps against servers: a fresh dump equals its server; later changes show up.</summary>
public sealed class CompareDumpTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mo-cmp-" + Guid.NewGuid().ToString("N"));
    private MemcachedProcess _server = null!;
    private readonly List<SeedItem> _items = [];

    public async Task InitializeAsync()
    {
        _server = MemcachedProcess.Start(memoryMb: 64);
        var random = new Random(5);
        for (var i = 0; i < 1500; i++)
        {
            var value = new byte[random.Next(0, 2000)];
            random.NextBytes(value);
            _items.Add(new SeedItem(Utf8($"dump:{i}"), value, (uint)(i * 31), i % 4 == 0 ? 0 : 7200));
        }
        _items.Add(new SeedItem([1, 2, 3, 0, 250], Utf8("binary key"), 70_000));
        await Seeder.StoreAsync(_server.Endpoint, _items);
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<string> ExportAsync(DumpLayout layout = DumpLayout.Native)
    {
        var path = Path.Combine(_root, layout.ToString());
        var sink = new CollectingSink();
        var result = await ExportService.RunAsync(new ExportOptions
        {
            Servers = [_server.ServerEndpoint],
            Path = path,
            Layout = layout,
            KeyFileSize = 8 * 1024,
            DataFileSize = 64 * 1024, // several data files
        }, sink, CancellationToken.None);
        Assert.Empty(sink.Errors);
        Assert.Equal(_items.Count, result.Dumped);
        return path;
    }

    [Fact]
    public async Task A_fresh_dump_equals_its_server_both_ways()
    {
        var dump = await ExportAsync();

        var serverFirst = await RunAsync(Servers(_server.Endpoint), CompareSide.FromPath(dump));
        var dumpFirst = await RunAsync(CompareSide.FromPath(dump), Servers(_server.Endpoint));
        var dumpAgainstItself = await RunAsync(CompareSide.FromPath(dump), CompareSide.FromPath(dump));

        Assert.Empty(serverFirst.Differences);
        Assert.Empty(dumpFirst.Differences);
        Assert.Empty(dumpAgainstItself.Differences);
        Assert.Equal(_items.Count, serverFirst.Summary.Equal);
        Assert.Equal(_items.Count, dumpFirst.Summary.Equal);
        Assert.Equal(_items.Count, dumpAgainstItself.Summary.Equal);
        Assert.Equal(Path.GetFullPath(dump), serverFirst.Summary.Difference);
    }

    [Fact]
    public async Task Changes_after_the_dump_are_found_from_either_side()
    {
        var dump = await ExportAsync();
        await Seeder.StoreAsync(_server.Endpoint,
        [
            new SeedItem(Utf8("dump:1"), new byte[_items[1].Value.Length], _items[1].Flags, _items[1].Ttl), // same length, new bytes
            new SeedItem(Utf8("dump:2"), _items[2].Value, 12345, _items[2].Ttl),
            new SeedItem(Utf8("dump:3"), _items[3].Value, _items[3].Flags, 100),
            new SeedItem(Utf8("added"), Utf8("new"), 1),
        ]);
        Assert.Contains("DELETED", _server.Send("delete dump:5\r\n"), StringComparison.Ordinal);

        var serverFirst = await RunAsync(Servers(_server.Endpoint), CompareSide.FromPath(dump));
        var dumpFirst = await RunAsync(CompareSide.FromPath(dump), Servers(_server.Endpoint));

        Assert.Equal(["added=Missing", "dump:1=ValueMismatch", "dump:2=FlagsMismatch", "dump:3=TtlMismatch", "dump:5=Extra"], Kinds(serverFirst.Differences));
        Assert.Equal(["added=Extra", "dump:1=ValueMismatch", "dump:2=FlagsMismatch", "dump:3=TtlMismatch", "dump:5=Missing"], Kinds(dumpFirst.Differences));
        var missing = dumpFirst.Differences.Single(d => d.Kind == DifferenceKind.Missing);
        Assert.Equal(Path.GetFullPath(dump), missing.ReferenceServer);
        Assert.Equal(_server.Endpoint, missing.DifferenceServer);
        Assert.Equal(_items[5].Value.Length, missing.ReferenceSize);
        Assert.Equal(_items[5].Flags, missing.ReferenceFlags);
        Assert.InRange(missing.ReferenceTtl!.Value, 7190, 7200);
    }

    [Fact]
    public async Task Cachemover_dumps_and_single_data_files_compare_too()
    {
        var dump = await ExportAsync(DumpLayout.Cachemover);

        var (summary, differences, _) = await RunAsync(CompareSide.FromPath(dump), Servers(_server.Endpoint));
        // A single data file holds part of the items: the rest are Extra on the server, none differ otherwise.
        var file = DumpSource.Open(dump).Files[0];
        var single = await RunAsync(CompareSide.FromPath(file.FullPath), Servers(_server.Endpoint));

        Assert.Empty(differences); // flags above 65535 are compared on their low 16 bits, as cachemover keeps them
        Assert.Contains(summary.Notes, n => n.Contains("16 bits", StringComparison.Ordinal));
        Assert.Equal(_items.Count, summary.Equal);
        Assert.NotEmpty(single.Differences);
        Assert.All(single.Differences, d => Assert.Equal(DifferenceKind.Extra, d.Kind));
        Assert.Equal(_items.Count, single.Summary.Compared);
    }

    [Fact]
    public async Task Expired_records_of_a_dump_count_as_absent()
    {
        var dir = Path.Combine(_root, "handmade");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "items.data");
        var past = (int)DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds();
        await using (var stream = File.Create(file))
        {
            foreach (var item in _items)
                Write(stream, item.Key, item.Ttl == 0 ? V0Record.NeverExpires : (int)DateTimeOffset.UtcNow.ToUnixTimeSeconds() + (int)item.Ttl, item.Flags, item.Value);
            Write(stream, Utf8("long-gone"), past, 0, Utf8("old"));
        }

        var (_, differences, _) = await RunAsync(CompareSide.FromPath(file), Servers(_server.Endpoint));

        Assert.Empty(differences);
    }

    private static void Write(Stream stream, byte[] key, int expiry, uint flags, byte[] value)
    {
        var buffer = new byte[V0Record.FixedOverhead + key.Length + value.Length];
        var n = V0Record.Write(buffer, key, expiry, flags, value);
        stream.Write(buffer, 0, n);
    }
}
