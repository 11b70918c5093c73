using System.Text;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.ExportImport;

/// <summary>Export then import into a second server: every value byte, flag bit and TTL must survive.</summary>
public sealed class RoundTripTests : IAsyncLifetime
{
    private MemcachedProcess _source = null!;
    private MemcachedProcess _target = null!;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mo-rt-" + Guid.NewGuid().ToString("N"));
    private readonly List<SeedItem> _items = [];

    public async Task InitializeAsync()
    {
        _source = MemcachedProcess.Start(memoryMb: 128);
        _target = MemcachedProcess.Start(memoryMb: 128);
        var random = new Random(7);
        byte[] Bytes(int n)
        {
            var b = new byte[n];
            random.NextBytes(b);
            return b;
        }
        // The limit for a 1 MiB item_size_max with a 9-byte key and non-zero flags (measured rule).
        var atLimit = (int)ExpiryMath.MaxValueLength(1024 * 1024, 9, 1);
        _items.AddRange(
        [
            new SeedItem([0, 1, 2, 255], Bytes(10), 1),                          // binary key: needs base64
            new SeedItem(Encoding.UTF8.GetBytes("sp ace\r\nkey"), Bytes(5), 2), // space and CRLF in the key
            new SeedItem(Encoding.UTF8.GetBytes("empty"), [], 3),                // zero-length value
            new SeedItem(Encoding.UTF8.GetBytes("binvalue"), Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 0),
            new SeedItem(Encoding.UTF8.GetBytes("flags:max"), Bytes(7), uint.MaxValue),
            new SeedItem(Encoding.UTF8.GetBytes("flags:zero"), Bytes(7), 0),
            new SeedItem(Encoding.UTF8.GetBytes("flags:70k"), Bytes(7), 70000),
            new SeedItem(Encoding.UTF8.GetBytes(new string('k', 250)), Bytes(100), 5),
            new SeedItem(Bytes(186), Bytes(20), 6),                               // longest base64-addressable key
            new SeedItem(Encoding.UTF8.GetBytes("limit:key"), Bytes(atLimit), 1),
            new SeedItem(Encoding.UTF8.GetBytes("ttl:short"), Bytes(30), 9, 120),
            new SeedItem(Encoding.UTF8.GetBytes("ttl:long"), Bytes(30), 9, 2_000_000),
        ]);
        for (var i = 0; i < 2000; i++)
            _items.Add(new SeedItem(Encoding.UTF8.GetBytes($"bulk:{i}"), Bytes(random.Next(0, 5000)), (uint)i, i % 3 == 0 ? 0 : 3600));
        await Seeder.StoreAsync(_source.Endpoint, _items);
    }

    public Task DisposeAsync()
    {
        _source.Dispose();
        _target.Dispose();
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    private async Task<(ExportResult Export, ImportResult Import)> RoundTripAsync(DumpLayout layout, string dir)
    {
        var sink = new CollectingSink();
        var export = await ExportService.RunAsync(new ExportOptions
        {
            Servers = [_source.ServerEndpoint],
            Path = dir,
            Layout = layout,
            KeyFileSize = 16 * 1024,      // several key files, so workers share the work
            DataFileSize = 1024 * 1024,   // and several data files per key file
        }, sink, CancellationToken.None);
        Assert.Empty(sink.Errors);
        var import = await ImportService.RunAsync(new ImportOptions { Paths = [dir], Servers = [_target.ServerEndpoint], Mode = StoreMode.Set }, sink, CancellationToken.None);
        Assert.Empty(sink.Errors);
        return (export, import);
    }

    private async Task AssertTargetMatchesSourceAsync()
    {
        var expected = await ItemReader.ReadAsync(_source.Endpoint, _items.Select(i => i.Key));
        var actual = await ItemReader.ReadAsync(_target.Endpoint, _items.Select(i => i.Key));
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
    }

    [Fact]
    public async Task Native_round_trip_is_exact()
    {
        var (export, import) = await RoundTripAsync(DumpLayout.Native, _dir);
        Assert.True(export.Complete);
        Assert.Equal(_items.Count, export.Listed);
        Assert.Equal(_items.Count, export.Dumped);
        Assert.Equal(0, export.Missing);
        Assert.True(export.Files > 2, "expected rotation into several data files");
        Assert.Equal(_items.Count, import.Read);
        Assert.Equal(_items.Count, import.Stored);
        Assert.True(import.Success);
        await AssertTargetMatchesSourceAsync();

        var manifest = ManifestStore.Read(_dir);
        Assert.True(manifest.Complete);
        Assert.Equal(_items.Count, manifest.Totals.Dumped);
        Assert.All(manifest.KeyFiles, k => Assert.True(k.Fetched));
        Assert.Equal(_source.Endpoint, Assert.Single(manifest.Sources).Server);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
            foreach (var file in Directory.GetFiles(_dir, "*", SearchOption.AllDirectories))
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task Cachemover_layout_round_trip_is_exact()
    {
        var dir = _dir + "-cm";
        try
        {
            var (export, import) = await RoundTripAsync(DumpLayout.Cachemover, dir);
            Assert.True(export.Complete);
            Assert.True(File.Exists(Path.Combine(dir, "datafiles_completed", "DONE")));
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "keyfile"), "key_*"));
            Assert.All(Directory.GetFiles(Path.Combine(dir, "datafiles_completed"), "data_*"),
                f => Assert.Matches("^data_.+__[0-9]+_[0-9A-F]{32}$", Path.GetFileName(f)));
            var source = DumpSource.Open(dir);
            Assert.Equal(DumpKind.Cachemover, source.Kind);
            Assert.True(source.IsComplete);
            Assert.Equal(_items.Count, import.Stored);
            await AssertTargetMatchesSourceAsync();
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Add_mode_keeps_what_the_target_already_has()
    {
        var dir = _dir + "-add";
        try
        {
            var sink = new CollectingSink();
            await ExportService.RunAsync(new ExportOptions { Servers = [_source.ServerEndpoint], Path = dir }, sink, CancellationToken.None);
            await Seeder.StoreAsync(_target.Endpoint, [new SeedItem(Encoding.UTF8.GetBytes("bulk:1"), Encoding.UTF8.GetBytes("fresher"), 42)]);
            var import = await ImportService.RunAsync(new ImportOptions { Paths = [dir], Servers = [_target.ServerEndpoint] }, sink, CancellationToken.None);
            Assert.Equal(1, import.AlreadyPresent);
            Assert.Equal(_items.Count - 1, import.Stored);
            var kept = await ItemReader.ReadAsync(_target.Endpoint, [Encoding.UTF8.GetBytes("bulk:1")]);
            Assert.Equal("fresher", Encoding.UTF8.GetString(kept.Values.Single().Value));
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Exported_count_equals_the_servers_item_count()
    {
        var dir = _dir + "-count";
        try
        {
            var stats = _source.Send("stats\r\n", "END\r\n");
            var items = long.Parse(stats.Split("\r\n").Single(l => l.StartsWith("STAT curr_items ", StringComparison.Ordinal))[16..], System.Globalization.CultureInfo.InvariantCulture);
            var result = await ExportService.RunAsync(new ExportOptions { Servers = [_source.ServerEndpoint], Path = dir }, new CollectingSink(), CancellationToken.None);
            Assert.Equal(items, result.Dumped);
            Assert.Equal(items, result.Listed);
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, true);
        }
    }
}
