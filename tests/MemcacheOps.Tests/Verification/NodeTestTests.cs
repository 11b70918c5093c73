using System.Globalization;
using System.Text;
using MemcacheOps.Engine.Verification.NodeChecks;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Verification;

/// <summary>
/// Test-MemcacheNode against real memcached 1.6.18 processes: every check passes on a default server and on
/// one started with <c>-I 64k</c>, and a run on a server holding other clients' items leaves every one of
/// them exactly as it was (value, flags, TTL and CAS), never flushes, and deletes all of its own keys.
/// </summary>
public sealed class NodeTestTests : IAsyncLifetime
{
    private MemcachedProcess _server = null!;
    private MemcachedProcess _small = null!;

    public Task InitializeAsync()
    {
        _server = MemcachedProcess.Start(memoryMb: 64);
        // memcached 1.6.18 refuses -I below its default slab_chunk_max (512 KiB), so it is lowered with it.
        _small = MemcachedProcess.Start("-I 64k -o slab_chunk_max=32768", memoryMb: 64);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        _small.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_check_passes_on_memcached_1_6_18()
    {
        var run = await NodeTestRunner.RunAsync(_server.Endpoint);

        var summary = Assert.Single(run.Summaries);
        Assert.True(summary.Passed, run.NotPassed);
        Assert.Empty(run.Sink.Errors);
        Assert.Equal("1.6.18", summary.Version);
        Assert.True(summary.PassedCount >= 30, $"{summary.PassedCount} checks passed");
        Assert.Equal(0, summary.FailedCount);
        // Only the opt-in checks are skipped.
        Assert.Equal(["Destructive/FlushAll", "Expiry/RealExpiry"],
            run.Results.Where(r => r.Result == CheckOutcome.Skipped).Select(r => r.Group + "/" + r.Check).Order(StringComparer.Ordinal));
        Assert.Equal(NodeCheckCatalog.All.Count + 2, run.Results.Count);
        Assert.All(run.Results, r => Assert.Equal(_server.Endpoint, r.Server));
        Assert.Equal("Server/Discover", run.Results[0].Group + "/" + run.Results[0].Check);
        Assert.Equal("Server/Cleanup", run.Results[^1].Group + "/" + run.Results[^1].Check);
        Assert.Contains("item_size_max 1 MiB", run.Check("Server/Discover").Actual, StringComparison.Ordinal);
        Assert.Contains("32 flag bits", run.Check("Server/Discover").Actual, StringComparison.Ordinal);
        Assert.Contains("class 39|chunked", run.Check("Values/SlabBoundaries").Actual, StringComparison.Ordinal);
        Assert.Equal(summary.PassedCount, run.Results.Count(r => r.Result == CheckOutcome.Passed));
    }

    [Fact]
    public async Task Every_check_passes_on_a_server_started_with_I_64k()
    {
        var run = await NodeTestRunner.RunAsync(_small.Endpoint);

        var summary = Assert.Single(run.Summaries);
        Assert.True(summary.Passed, run.NotPassed);
        Assert.True(summary.PassedCount >= 30, $"{summary.PassedCount} checks passed");
        Assert.Contains("item_size_max 64 KiB", run.Check("Server/Discover").Actual, StringComparison.Ordinal);
        // The largest value is what 64 KiB allows with the key's header: not the 1 MiB default.
        var largest = run.Check("Values/ItemSizeMax").Actual;
        var bytes = int.Parse(largest[..largest.IndexOf(' ', StringComparison.Ordinal)], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.InRange(bytes, 65_536 - 120, 65_536 - 60);
        Assert.Contains("32 KiB (class 26|chunked)", run.Check("Values/SlabBoundaries").Actual, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_server_keeps_every_item_of_other_clients_exactly()
    {
        // Other clients' items: plain keys, keys that look like another run's, and 1-byte keys (all but a few
        // of them, so the 1-byte check has to search for a free one).
        var others = Enumerable.Range(0, 300).Select(i => Encoding.ASCII.GetBytes($"app:user:{i}"))
            .Concat(Enumerable.Range(0, 20).Select(i => Encoding.ASCII.GetBytes($"{TestKeys.PrefixBase}earlier:{i}")))
            .Concat(Enumerable.Range(0, 90).Select(i => new[] { (byte)('!' + i) }))
            .ToList();
        await Seeder.StoreAsync(_server.Endpoint, others.Select((k, i) => new SeedItem(k, Encoding.ASCII.GetBytes($"value {i}"), (uint)i * 7919, i % 2 == 0 ? 0 : 3600)));
        var before = await ItemReaderSnapshot.ReadAsync(_server.Endpoint, others);
        var itemsBefore = _server.Stat("curr_items");

        var run = await NodeTestRunner.RunAsync(_server.Endpoint);

        Assert.True(Assert.Single(run.Summaries).Passed, run.NotPassed);
        var after = await ItemReaderSnapshot.ReadAsync(_server.Endpoint, others);
        Assert.Equal(before.Count, after.Count);
        foreach (var (key, item) in before)
        {
            var now = after[key];
            Assert.True(item.Value.SequenceEqual(now.Value), $"value of {key}");
            Assert.Equal(item.Flags, now.Flags);
            Assert.Equal(item.Cas, now.Cas);
            Assert.InRange(now.Ttl, item.Ttl - 30, item.Ttl);
        }
        Assert.Equal(0, _server.Stat("cmd_flush"));
        Assert.Equal(itemsBefore, _server.Stat("curr_items"));
        var oneByte = run.Check("Keys/OneByte").Actual;
        Assert.Matches("key '[\\x7B-\\x7E]' stored", oneByte);
    }

    [Fact]
    public async Task The_1_byte_key_check_is_skipped_when_every_1_byte_key_is_in_use_and_touches_none()
    {
        await using var full = MemcachedProcess.Start(memoryMb: 64);
        var keys = Enumerable.Range(0, 94).Select(i => new[] { (byte)('!' + i) }).ToList();
        await Seeder.StoreAsync(full.Endpoint, keys.Select(k => new SeedItem(k, "theirs"u8.ToArray(), 5)));
        var before = await ItemReaderSnapshot.ReadAsync(full.Endpoint, keys);

        var run = await NodeTestRunner.RunAsync(full.Endpoint);

        var check = run.Check("Keys/OneByte");
        Assert.Equal(CheckOutcome.Skipped, check.Result);
        Assert.Contains("every printable 1-byte key is in use", check.Actual, StringComparison.Ordinal);
        Assert.True(Assert.Single(run.Summaries).Passed, run.NotPassed);
        var after = await ItemReaderSnapshot.ReadAsync(full.Endpoint, keys);
        Assert.All(before, b => Assert.Equal(b.Value.Cas, after[b.Key].Cas));
    }

    [Fact]
    public async Task Slow_and_destructive_checks_run_when_asked_for()
    {
        await using var scratch = MemcachedProcess.Start(memoryMb: 64);
        await Seeder.StoreAsync(scratch.Endpoint, Seeder.Numbered("doomed:", 10));

        var run = await NodeTestRunner.RunAsync(scratch.Endpoint, includeSlow: true, destructive: true);

        var summary = Assert.Single(run.Summaries);
        Assert.True(summary.Passed, run.NotPassed);
        Assert.Equal(0, summary.SkippedCount);
        Assert.Matches(@"gone after \d\.\d s", run.Check("Expiry/RealExpiry").Actual);
        Assert.Equal(CheckOutcome.Passed, run.Check("Destructive/FlushAll").Result);
        Assert.True(scratch.Stat("cmd_flush") >= 2);
        // Flushed items stay counted in curr_items until memcached reclaims them; reading them is what counts.
        Assert.Empty(await ItemReaderSnapshot.ReadAsync(scratch.Endpoint, Enumerable.Range(0, 10).Select(i => Encoding.ASCII.GetBytes($"doomed:{i}"))));
    }
}
