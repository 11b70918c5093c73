using System.Text;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.ExportImport;

/// <summary>
/// A remaining TTL is computed from the clock when its item is stored, not when its data file started
/// loading: a throttled import takes seconds over one file, and its last items must not live longer.
/// </summary>
public sealed class ThrottledImportTtlTests
{
    [Fact]
    public async Task Items_stored_late_in_a_slow_file_keep_their_remaining_ttl()
    {
        using var source = MemcachedProcess.Start(memoryMb: 64);
        using var target = MemcachedProcess.Start(memoryMb: 64);
        var keys = Enumerable.Range(0, 500).Select(i => Encoding.ASCII.GetBytes($"ttl:{i}")).ToList();
        await Seeder.StoreAsync(source.Endpoint, keys.Select(k => new SeedItem(k, [1, 2, 3], 0, 3600)));
        var dir = Path.Combine(Path.GetTempPath(), "mo-ttl-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sink = new CollectingSink();
            var export = await ExportService.RunAsync(new ExportOptions { Servers = [source.ServerEndpoint], Path = dir }, sink, CancellationToken.None);
            Assert.Equal(1, export.Files); // one data file, loaded over about 5 s below
            var import = await ImportService.RunAsync(new ImportOptions
            {
                Paths = [dir],
                Servers = [target.ServerEndpoint],
                Connections = 1,
                Window = 1,
                BatchSize = 10,
                MaxOperationsPerSecond = 100,
            }, sink, CancellationToken.None);
            Assert.Empty(sink.Errors);
            Assert.Equal(500, import.Stored);

            var want = await ItemReader.ReadAsync(source.Endpoint, keys);
            var got = await ItemReader.ReadAsync(target.Endpoint, keys);
            // Both servers' coarse clocks and the dump's whole seconds allow 2 s either way, as in the round trips.
            Assert.All(want, pair => Assert.InRange(got[pair.Key].Ttl, pair.Value.Ttl - 2, pair.Value.Ttl + 2));
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, true);
        }
    }
}
