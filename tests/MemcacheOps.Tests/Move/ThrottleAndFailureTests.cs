using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Move;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Routing;
using MemcacheOps.Tests.Support;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Move;

/// <summary>Protecting live traffic (operations per second per server) and a destination dying mid-move.</summary>
[Collection(MemcacheOps.Tests.Throttling.RealClockCollection.Name)]
public sealed class ThrottleAndFailureTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>How long the throttled move runs; the acceptance criterion asks for 10 s.</summary>
    private static readonly TimeSpan ThrottledRun = TimeSpan.FromSeconds(10);
    private const int OperationsPerSecond = 3000;

    private readonly List<MemcachedProcess> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var server in _servers)
            server.Dispose();
        return Task.CompletedTask;
    }

    private MemcachedProcess Start(int memoryMb = 64)
    {
        var server = MemcachedProcess.Start(memoryMb: memoryMb);
        _servers.Add(server);
        return server;
    }

    [Fact]
    public async Task Operations_per_second_stay_within_ten_percent_of_the_limit()
    {
        var source = Start();
        var destination = Start();
        var items = (int)(OperationsPerSecond * ThrottledRun.TotalSeconds);
        await Seeder.StoreAsync(source.Endpoint, Seeder.Numbered("thr:", items, 20));
        var getsBefore = MoveVerifier.Stat(source, "cmd_get");

        var move = MoveService.RunAsync(new MoveOptions
        {
            Sources = [source.ServerEndpoint],
            Destinations = [destination.ServerEndpoint],
            MaxOperationsPerSecond = OperationsPerSecond,
        }, new CollectingSink(), CancellationToken.None);
        // Every item is one mg on the source and one ms on the destination; both are held to the limit.
        var gets = StatRate.MeasureAsync(source, "cmd_get", move);
        var sets = StatRate.MeasureAsync(destination, "cmd_set", move);
        var result = Assert.Single(await move);
        var (getRate, getWindow) = await gets;
        var (setRate, setWindow) = await sets;

        output.WriteLine($"source {getRate:0} mg/s over {getWindow.TotalSeconds:0.0} s, destination {setRate:0} ms/s over {setWindow.TotalSeconds:0.0} s (limit {OperationsPerSecond}); whole move {result.Duration.TotalSeconds:0.00} s");
        Assert.Equal(MoveStatus.Successful, result.Status);
        Assert.Equal(items, result.Copied);
        Assert.InRange(getRate, OperationsPerSecond * 0.9, OperationsPerSecond * 1.1);
        Assert.InRange(setRate, OperationsPerSecond * 0.9, OperationsPerSecond * 1.1);
        Assert.True(getWindow > ThrottledRun * 0.8, "the rate must be measured over most of the run");
        Assert.Equal(items, MoveVerifier.Stat(source, "cmd_get") - getsBefore);
        Assert.Equal(items, MoveVerifier.Stat(destination, "cmd_set"));
    }

    [Fact]
    public async Task Bytes_per_second_hold_on_a_source_that_feeds_several_destinations()
    {
        // The source sends every value once; each destination receives about half. A limit of 1 MiB/s per
        // server must hold on the source, so 5 MiB take about 5 s although each destination alone would allow more.
        const double limit = 1024 * 1024;
        var source = Start();
        var first = Start();
        var second = Start();
        await Seeder.StoreAsync(source.Endpoint, Seeder.Numbered("bps:", 5 * 1024, 1024));

        var move = MoveService.RunAsync(new MoveOptions
        {
            Sources = [source.ServerEndpoint],
            Destinations = [first.ServerEndpoint, second.ServerEndpoint],
            MaxBytesPerSecond = limit,
        }, new CollectingSink(), CancellationToken.None);
        var (rate, window) = await StatRate.MeasureAsync(source, "bytes_written", move);
        var results = await move;

        output.WriteLine($"source sent {rate / 1024:0} KiB/s over {window.TotalSeconds:0.0} s (limit {limit / 1024:0} KiB/s); whole move {results[0].Duration.TotalSeconds:0.00} s");
        Assert.All(results, r => Assert.Equal(MoveStatus.Successful, r.Status));
        Assert.Equal(5 * 1024 * 1024, results.Sum(r => r.Bytes));
        // The limit must hold. It counts the values the source sends; the wire also carries each reply's
        // header (a few dozen bytes an item), so the measured rate sits at or a little above the limit.
        Assert.InRange(rate, limit * 0.9, limit * 1.1);
    }

    [Fact]
    public async Task A_destination_killed_mid_move_fails_with_its_counts_and_a_rerun_completes()
    {
        const int items = 20_000;
        var source = Start(128);
        var doomed = Start();
        var survivor = Start();
        await Seeder.StoreAsync(source.Endpoint, Seeder.Numbered("kill:", items, 500));
        var keys = Enumerable.Range(0, items).Select(i => System.Text.Encoding.UTF8.GetBytes($"kill:{i}")).ToList();

        var sink = new CollectingSink();
        var move = MoveService.RunAsync(new MoveOptions
        {
            Sources = [source.ServerEndpoint],
            Destinations = [doomed.ServerEndpoint, survivor.ServerEndpoint],
            MaxOperationsPerSecond = 5000, // about 4 s, so the kill lands mid-move
        }, sink, CancellationToken.None);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (MoveVerifier.Stat(doomed, "curr_items") < 1000 && waited.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(50);
        doomed.Kill();
        var results = await move;

        var dead = results.Single(r => r.Destination == doomed.Endpoint);
        var alive = results.Single(r => r.Destination == survivor.Endpoint);
        output.WriteLine($"killed: {dead.Status} copied {dead.Copied}; notes: {string.Join(" | ", dead.Notes)}");
        Assert.Equal(MoveStatus.Failed, dead.Status);
        Assert.InRange(dead.Copied, 1, items - 1); // replies of the last batches it stored may not have arrived before the kill
        Assert.Contains(dead.Notes, n => n.StartsWith("Failed:", StringComparison.Ordinal) && n.Contains(doomed.Endpoint, StringComparison.Ordinal));
        Assert.Contains(sink.Errors, e => e.ErrorId == "MoveDestinationFailed" && e.Target == doomed.Endpoint);
        Assert.Equal(MoveStatus.Successful, alive.Status);
        var oldRing = ReferenceKetama.Spymemcached([$"127.0.0.1/{doomed.Endpoint}", $"127.0.0.1/{survivor.Endpoint}"]);
        Assert.Equal(keys.Count(k => oldRing.Owner(k) == 1), alive.Copied);

        // The node comes back on another port: rerun the move onto the new ring.
        var replacement = Start();
        var rerun = await MoveService.RunAsync(new MoveOptions
        {
            Sources = [source.ServerEndpoint],
            Destinations = [survivor.ServerEndpoint, replacement.ServerEndpoint],
        }, new CollectingSink(), CancellationToken.None);
        Assert.All(rerun, r => Assert.Equal(MoveStatus.Successful, r.Status));
        var newRing = ReferenceKetama.Spymemcached([$"127.0.0.1/{survivor.Endpoint}", $"127.0.0.1/{replacement.Endpoint}"]);
        var onSurvivor = await ItemReader.ReadAsync(survivor.Endpoint, keys);
        var onReplacement = await ItemReader.ReadAsync(replacement.Endpoint, keys);
        foreach (var key in keys)
        {
            var holder = newRing.Owner(key) == 0 ? onSurvivor : onReplacement;
            Assert.True(holder.ContainsKey(ItemReader.Id(key)), $"{System.Text.Encoding.UTF8.GetString(key)} is not on its owner after the rerun");
        }
    }
}
