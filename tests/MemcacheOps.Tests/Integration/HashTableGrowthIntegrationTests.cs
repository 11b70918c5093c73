using System.Globalization;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Integration;

/// <summary>
/// Listings sent the moment a real memcached's hash table is due to grow. memcached 1.6 deadlocks when
/// 'metadump hash' meets the start of a growth (see <see cref="HashTableGrowth"/>), so the listing must
/// wait for each growth, list every key, and leave the server answering. A small starting table
/// (-o hashpower=13, 8,192 buckets) makes three growths happen within a few thousand items each.
/// </summary>
public sealed class HashTableGrowthIntegrationTests
{
    [Fact]
    public async Task Listings_right_after_each_growth_threshold_wait_for_it_and_list_every_key()
    {
        using var server = MemcachedProcess.Start("-o hashpower=13", memoryMb: 64);
        var stored = 0;
        foreach (var (total, power) in new[] { (12_400, 14), (24_700, 15), (49_300, 16) })
        {
            // Crossing 1.5 items per bucket makes a growth due at the server's next clock tick; the
            // listing follows the last store at once, so it almost always finds the growth due or running.
            stored += await Seeder.StoreAsync(server.Endpoint, Seeder.Numbered($"g{power}:", total - stored, valueSize: 20));
            var sink = new CollectingSink();
            await KeyListingService.RunAsync(new KeyListingRequest { Servers = [server.ServerEndpoint], CountOnly = true }, sink, CancellationToken.None);

            Assert.Empty(sink.Errors);
            Assert.Equal(total, Assert.Single(sink.ResultsOf<KeyCountResult>()).Count);
            // The growth the listing waited for has happened, and the server still answers. Without the
            // wait a listing sent before the server's next tick leaves the level unchanged here (it did,
            // every time the wait was taken out), so this fails when the listing does not wait.
            using var connection = await MemcachedConnection.OpenAsync(server.ServerEndpoint, null, CancellationToken.None);
            var stats = await StatsReader.ReadAsync(connection, StatsGroup.General, CancellationToken.None);
            Assert.Equal(power.ToString(CultureInfo.InvariantCulture), stats.Single(p => p.Key == "hash_power_level").Value);
        }
    }

    [Fact]
    public async Task A_server_that_never_grows_its_table_is_listed_after_a_warning()
    {
        // -o no_hashexpand: the growth stays due for good and no thread exists to deadlock with.
        using var server = MemcachedProcess.Start("-o hashpower=13,no_hashexpand", memoryMb: 64);
        await Seeder.StoreAsync(server.Endpoint, Seeder.Numbered("n:", 12_400, valueSize: 20));
        var sink = new CollectingSink();
        var listing = new ListingOptions { GrowthStartTimeout = TimeSpan.FromSeconds(1) };
        await KeyListingService.RunAsync(new KeyListingRequest { Servers = [server.ServerEndpoint], CountOnly = true, Listing = listing }, sink, CancellationToken.None);

        Assert.Empty(sink.Errors);
        Assert.Equal(12_400, Assert.Single(sink.ResultsOf<KeyCountResult>()).Count);
        var warning = Assert.Single(sink.Warnings);
        Assert.Contains("12400 items in 2^13 buckets", warning, StringComparison.Ordinal);
        Assert.Contains("no_hashexpand", warning, StringComparison.Ordinal);
    }
}
