using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Move;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Move;

/// <summary>The preflight refuses a destination too small for its share; -Force moves anyway and the evictions are reported.</summary>
public sealed class PreflightTests : IAsyncLifetime
{
    private const int Items = 10_000;
    private const int ValueSize = 2000;
    private MemcachedProcess _source = null!;
    private MemcachedProcess _small = null!;

    public async Task InitializeAsync()
    {
        _source = MemcachedProcess.Start(memoryMb: 128);
        _small = MemcachedProcess.Start(memoryMb: 8);
        // ~20 MB of same-sized items (one slab class, so the small server evicts rather than refuses).
        await Seeder.StoreAsync(_source.Endpoint, Seeder.Numbered("pf:", Items, ValueSize));
    }

    public Task DisposeAsync()
    {
        _source.Dispose();
        _small.Dispose();
        return Task.CompletedTask;
    }

    private MoveOptions Options => new()
    {
        Sources = [_source.ServerEndpoint],
        Destinations = [_small.ServerEndpoint],
    };

    [Fact]
    public async Task Refuses_a_destination_that_is_too_small_and_writes_nothing()
    {
        var error = await Assert.ThrowsAsync<MemcacheException>(() => MoveService.RunAsync(Options, new CollectingSink(), CancellationToken.None));

        Assert.Equal("MoveDestinationTooSmall", error.ErrorId);
        Assert.Equal(_small.Endpoint, error.Target);
        Assert.Contains(_small.Endpoint, error.Message, StringComparison.Ordinal);
        Assert.Contains("10,000 items", error.Message, StringComparison.Ordinal);
        Assert.Contains("free", error.Message, StringComparison.Ordinal);
        Assert.Contains("-Force", error.Message, StringComparison.Ordinal);
        Assert.Contains("-m", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, MoveVerifier.Stat(_small, "cmd_set"));
    }

    [Fact]
    public async Task The_plan_shows_what_would_move_and_writes_nothing()
    {
        var plan = Assert.Single(await MoveService.PlanAsync(Options, new CollectingSink(), CancellationToken.None));

        Assert.Equal(_small.Endpoint, plan.Destination);
        Assert.Equal(_source.Endpoint, plan.Source);
        Assert.Equal(Items, plan.Items);
        Assert.InRange(plan.Bytes, (long)Items * ValueSize, (long)Items * (ValueSize + 200));
        Assert.Equal(8L * 1024 * 1024, plan.LimitBytes);
        Assert.True(plan.MemoryNeeded > plan.Bytes, "chunks are larger than items, and pages hold whole chunks");
        Assert.False(plan.Fits);
        Assert.Null(plan.Problem);
        Assert.Equal(0, MoveVerifier.Stat(_small, "cmd_set"));
        Assert.Equal(0, MoveVerifier.Stat(_small, "curr_items"));
    }

    [Fact]
    public async Task A_node_replacement_that_clearly_fits_is_planned_from_stats_and_one_in_doubt_by_listing()
    {
        using var large = MemcachedProcess.Start(memoryMb: 256);
        var options = Options with { Destinations = [large.ServerEndpoint] };

        var estimate = Assert.Single(await MoveService.PlanAsync(options, new CollectingSink(), CancellationToken.None, allowEstimate: true));
        Assert.True(estimate.Estimated);
        Assert.True(estimate.Fits);
        Assert.Equal(Items, estimate.Items);
        Assert.Equal(MoveVerifier.Stat(_source, "bytes"), estimate.Bytes);
        var exact = Assert.Single(await MoveService.PlanAsync(options, new CollectingSink(), CancellationToken.None));
        Assert.False(exact.Estimated);
        Assert.Equal(Items, exact.Items);
        Assert.Equal(exact.Bytes, estimate.Bytes);
        Assert.True(estimate.MemoryNeeded >= exact.MemoryNeeded, "the estimate is the sources' allocated pages, an upper bound");

        // Too small for the sources' pages: the listing decides, exactly as without the estimate.
        var small = Assert.Single(await MoveService.PlanAsync(Options, new CollectingSink(), CancellationToken.None, allowEstimate: true));
        Assert.False(small.Estimated);
        Assert.False(small.Fits);
        Assert.Equal(0, MoveVerifier.Stat(large, "cmd_set"));
    }

    [Fact]
    public async Task Force_moves_anyway_and_reports_the_evictions()
    {
        var sink = new CollectingSink();
        var result = Assert.Single(await MoveService.RunAsync(Options with { Force = true }, sink, CancellationToken.None));

        Assert.Contains(sink.Warnings, w => w.Contains("-Force", StringComparison.Ordinal) && w.Contains(_small.Endpoint, StringComparison.Ordinal));
        Assert.Equal(Items, result.Copied + result.Failed);
        Assert.True(result.Evictions > 0, "an 8 MB server given 20 MB must evict");
        Assert.Equal(MoveVerifier.Stat(_small, "evictions"), result.Evictions);
        Assert.Contains(result.Notes, n => n.Contains("evicted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Abort_policy_stops_writing_to_an_evicting_destination()
    {
        var sink = new CollectingSink();
        var result = Assert.Single(await MoveService.RunAsync(Options with
        {
            Force = true,
            EvictionPolicy = MoveEvictionPolicy.Abort,
            EvictionSampleInterval = TimeSpan.FromMilliseconds(100),
            MaxOperationsPerSecond = 4000, // slow enough for the watcher to see the evictions mid-move
        }, sink, CancellationToken.None));

        Assert.True(result.Status == MoveStatus.Failed, string.Join(" | ", result.Notes));
        Assert.True(result.Evictions > 0);
        Assert.InRange(result.Copied, 1, Items - 1);
        Assert.True(result.Notes.Any(n => n.Contains("EvictionPolicy Abort", StringComparison.Ordinal)), string.Join(" | ", result.Notes));
        Assert.Contains(sink.Errors, e => e.ErrorId == "MoveDestinationFailed");
    }

    [Fact]
    public async Task Pause_policy_holds_writes_while_the_destination_evicts_and_resumes_when_it_stops()
    {
        var sink = new CollectingSink();
        var result = Assert.Single(await MoveService.RunAsync(Options with
        {
            Force = true,
            EvictionPolicy = MoveEvictionPolicy.Pause,
            EvictionSampleInterval = TimeSpan.FromMilliseconds(100),
            EvictionQuietPeriod = TimeSpan.FromMilliseconds(300),
            MaxOperationsPerSecond = 4000,
        }, sink, CancellationToken.None));

        // The data does not fit, so every resume brings more evictions and another pause; the move still
        // finishes, every item written or reported.
        Assert.Contains(sink.Warnings, w => w.Contains("paused", StringComparison.Ordinal));
        Assert.Contains(sink.VerboseMessages, v => v.Contains("writing resumes", StringComparison.Ordinal));
        Assert.Equal(MoveStatus.Successful, result.Status);
        Assert.Equal(Items, result.Copied + result.Failed);
        Assert.True(result.Evictions > 0);
    }

    [Fact]
    public async Task Pause_policy_fails_a_destination_that_keeps_evicting_while_paused()
    {
        // Live traffic on the destination keeps it evicting even while the move holds its writes.
        var traffic = Enumerable.Range(0, 100).Select(i => Encoding.UTF8.GetBytes($"traffic:{i}")).ToList();
        await using var writer = new BackgroundWriter(_small.Endpoint, traffic, operationsPerSecond: 3000, seed: 9);
        var sink = new CollectingSink();
        var result = Assert.Single(await MoveService.RunAsync(Options with
        {
            Force = true,
            EvictionPolicy = MoveEvictionPolicy.Pause,
            EvictionSampleInterval = TimeSpan.FromMilliseconds(100),
            EvictionMaxPause = TimeSpan.FromSeconds(1),
            MaxOperationsPerSecond = 4000,
        }, sink, CancellationToken.None));

        Assert.Equal(MoveStatus.Failed, result.Status);
        Assert.True(result.Notes.Any(n => n.Contains("kept evicting", StringComparison.Ordinal)), string.Join(" | ", result.Notes));
        Assert.InRange(result.Copied, 1, Items - 1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-f 1.5 -n 64")]
    [InlineData("-f 1.08 -n 16")]
    public void Slab_class_sizes_match_what_memcached_reports(string settings)
    {
        using var server = MemcachedProcess.Start("-vv " + settings, memoryMb: 64);
        // memcached prints its classes at start-up, the largest (slab_chunk_max) last; its output is read asynchronously.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!System.Text.RegularExpressions.Regex.IsMatch(server.Output, @"chunk size\s+524288") && waited.Elapsed < TimeSpan.FromSeconds(5))
            Thread.Sleep(20);
        var reported = System.Text.RegularExpressions.Regex.Matches(server.Output, @"slab class\s+\d+: chunk size\s+(\d+)")
            .Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var factor = settings.Contains("-f", StringComparison.Ordinal) ? double.Parse(settings.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) : 1.25;
        var minimum = settings.Contains("-n", StringComparison.Ordinal) ? long.Parse(settings.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture) : 48;

        Assert.NotEmpty(reported);
        Assert.Equal(reported, DestinationMemory.ChunkSizes(factor, minimum, 512 * 1024));
    }

    [Fact]
    public async Task The_estimate_counts_slab_chunks_so_items_that_fit_by_bytes_but_not_by_pages_are_refused()
    {
        // 3,000-byte values are 3,064-byte items, stored in 3,632-byte chunks, 288 to a 1 MiB page: an
        // 8 MiB server holds 2,304 of them. 2,400 (7 MB of items) would evict; 2,000 fit.
        using var source = MemcachedProcess.Start(memoryMb: 64);
        using var fits = MemcachedProcess.Start(memoryMb: 8);
        using var tooSmall = MemcachedProcess.Start(memoryMb: 8);
        var items = Seeder.Numbered("slab:", 2400, 3000).ToList();
        await Seeder.StoreAsync(source.Endpoint, items);
        var fitting = new MoveOptions { Sources = [source.ServerEndpoint], Destinations = [fits.ServerEndpoint] };

        var plan = Assert.Single(await MoveService.PlanAsync(fitting, new CollectingSink(), CancellationToken.None));
        Assert.True(plan.Bytes < plan.LimitBytes, "by item bytes alone it would look like it fits");
        Assert.Equal(9L * 1024 * 1024, plan.MemoryNeeded);
        Assert.False(plan.Fits);
        await Assert.ThrowsAsync<MemcacheException>(() => MoveService.RunAsync(fitting with { Destinations = [tooSmall.ServerEndpoint] }, new CollectingSink(), CancellationToken.None));

        using var fewer = MemcachedProcess.Start(memoryMb: 64);
        await Seeder.StoreAsync(fewer.Endpoint, items.Take(2000));
        var result = Assert.Single(await MoveService.RunAsync(fitting with { Sources = [fewer.ServerEndpoint] }, new CollectingSink(), CancellationToken.None));
        Assert.Equal(2000, result.Copied);
        Assert.Equal(0, result.Evictions);
        Assert.Equal(0, MoveVerifier.Stat(fits, "evictions"));
    }
}
