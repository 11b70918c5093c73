using System.Diagnostics;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Move;
using MemcacheOps.Testing;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Move;

/// <summary>
/// Sync passes while a client keeps writing: after the final pass the only differences are among keys
/// touched after that pass started, and the residual the move reports is exactly what an independent
/// comparison finds.
/// </summary>
public sealed class SyncPassTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int DataSetItems = 30_000;
    private MemcachedProcess _source = null!;
    private MemcachedProcess _destination = null!;

    public async Task InitializeAsync()
    {
        _source = MemcachedProcess.Start(memoryMb: 256);
        _destination = MemcachedProcess.Start(memoryMb: 256);
        await DataSetLoader.LoadAsync(_source, 0, DataSetItems);
    }

    public Task DisposeAsync()
    {
        _source.Dispose();
        _destination.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Final_pass_leaves_only_keys_touched_after_it_started_and_reports_them_as_residual()
    {
        var existing = Enumerable.Range(0, DataSetItems).Select(n => ReferenceDataSet.Key(n)).ToList();
        await using var writer = new BackgroundWriter(_source.Endpoint, existing, operationsPerSecond: 3000, seed: 5);
        // The writer stops as soon as the residual listing is about to start, so that listing and the
        // comparison afterwards see the same source.
        var sink = new PhaseRecordingSink(phase => phase.EndsWith("measuring the residual", StringComparison.Ordinal) ? writer.StopAsync() : Task.CompletedTask);
        await Task.Delay(300); // traffic before the move starts too

        var results = await MoveService.RunAsync(new MoveOptions
        {
            Sources = [_source.ServerEndpoint],
            Destinations = [_destination.ServerEndpoint],
            Passes = 3,
            ChangeThreshold = 0,
            SyncDeletes = true,
        }, sink, CancellationToken.None);
        await writer.StopAsync();

        Assert.Empty(sink.Inner.Errors);
        var result = Assert.Single(results);
        Assert.Equal(MoveStatus.Successful, result.Status);
        Assert.Equal(3, result.Passes);
        Assert.True(writer.Deletes > 0 && writer.Overwrites > 0 && writer.Creates > 0);
        Assert.True(result.Deleted > 0, "keys deleted on the source during the first passes must be deleted on the destination");

        var lastPassStarted = sink.Started("pass 3: listing and copying");
        var touchedAfter = writer.TouchedSince(lastPassStarted);
        var differences = await MoveVerifier.DifferencesAsync(_source.Endpoint, _destination.Endpoint);
        output.WriteLine($"writer: {writer.Creates} creates, {writer.Overwrites} overwrites, {writer.Deletes} deletes; move: copied {result.Copied}, deleted {result.Deleted}, missing {result.Missing}, residual {result.Residual}; differences {differences.Count}, touched after the last pass started {touchedAfter.Count}");
        Assert.True(differences.IsSubsetOf(touchedAfter),
            $"{differences.Except(touchedAfter).Count()} difference(s) among keys not touched after the last pass started, e.g. {differences.Except(touchedAfter).FirstOrDefault()}");
        Assert.Equal(differences.Count, result.Residual);
        Assert.True(result.Residual > 0, "the writer ran during the last pass, so something must have changed after it read the keys");
    }

    [Fact]
    public async Task Passes_stop_when_a_pass_finds_fewer_changes_than_the_threshold()
    {
        var sink = new CollectingSink();
        var result = Assert.Single(await MoveService.RunAsync(new MoveOptions
        {
            Sources = [_source.ServerEndpoint],
            Destinations = [_destination.ServerEndpoint],
            Passes = 5,
        }, sink, CancellationToken.None));

        // Nothing changes on the source, so the second pass finds nothing and ends the move.
        Assert.Equal(MoveStatus.Successful, result.Status);
        Assert.Equal(2, result.Passes);
        Assert.Equal(DataSetItems, result.Copied);
        Assert.Equal(0, result.Residual);
        Assert.Empty(sink.ResultsOf<MovePassStatus>()); // per-pass records are for -Continuous
    }

    [Fact]
    public async Task Continuous_sync_emits_a_status_per_pass_and_stops_on_request()
    {
        var existing = Enumerable.Range(0, DataSetItems).Select(n => ReferenceDataSet.Key(n)).ToList();
        await using var writer = new BackgroundWriter(_source.Endpoint, existing, operationsPerSecond: 1000, seed: 6);
        using var stop = new CancellationTokenSource();
        var sink = new PhaseRecordingSink(null, result =>
        {
            if (result is MovePassStatus { Pass: 3 })
                stop.Cancel();
        });

        var results = await MoveService.RunAsync(new MoveOptions
        {
            Sources = [_source.ServerEndpoint],
            Destinations = [_destination.ServerEndpoint],
            Continuous = true,
            PassInterval = TimeSpan.FromMilliseconds(300),
            SyncDeletes = true,
        }, sink, stop.Token);

        var statuses = sink.Inner.ResultsOf<MovePassStatus>().ToList();
        Assert.Equal([1, 2, 3], statuses.Select(s => s.Pass));
        Assert.True(statuses[0].Copied >= DataSetItems - writer.Deletes, "the first pass copies everything");
        Assert.All(statuses, s => Assert.True(s.Residual >= 0 && s.Duration > TimeSpan.Zero));
        Assert.All(statuses.Skip(1), s => Assert.True(s.Changed > 0, "the writer keeps changing keys between passes"));
        var result = Assert.Single(results);
        Assert.Equal(MoveStatus.Successful, result.Status);
        Assert.Equal(3, result.Passes);
        Assert.Equal(statuses.Sum(s => s.Copied), result.Copied);
        Assert.Equal(statuses[^1].Residual, result.Residual);
        Assert.Contains(result.Notes, n => n.Contains("stopped on request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Continuous_sync_ends_at_the_deadline()
    {
        var clock = Stopwatch.StartNew();
        var sink = new CollectingSink();
        var result = Assert.Single(await MoveService.RunAsync(new MoveOptions
        {
            Sources = [_source.ServerEndpoint],
            Destinations = [_destination.ServerEndpoint],
            Continuous = true,
            PassInterval = TimeSpan.FromMilliseconds(200),
            Deadline = TimeSpan.FromSeconds(2),
        }, sink, CancellationToken.None));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
        Assert.Equal(MoveStatus.Successful, result.Status);
        Assert.True(result.Passes >= 2);
        Assert.Equal(result.Passes, sink.ResultsOf<MovePassStatus>().Count());
        Assert.Equal(0, result.Residual);
    }

    [Fact]
    public async Task A_later_pass_carries_a_ttl_changed_by_touch_although_the_cas_stays()
    {
        var key = ReferenceDataSet.Key(0); // never expires in the data set
        // Every snapshot of the phase comes here (the progress timer's too, on its own thread), and each caller
        // waits for what it returns: one touch, as pass 2 starts, that every caller waits for. A second touch
        // during or after pass 2 would be a change the closing listing reports.
        var touch = new Lazy<Task>(() => Task.Run(() => Assert.Equal("TOUCHED\r\n", _source.Send("touch key:0 5000\r\n"))));
        var sink = new PhaseRecordingSink(phase => phase == "pass 2: listing and copying" ? touch.Value : Task.CompletedTask);

        var result = Assert.Single(await MoveService.RunAsync(new MoveOptions
        {
            Sources = [_source.ServerEndpoint],
            Destinations = [_destination.ServerEndpoint],
            Passes = 2,
            ChangeThreshold = 0,
        }, sink, CancellationToken.None));

        Assert.Equal(DataSetItems + 1, result.Copied);
        Assert.Equal(0, result.Residual);
        var copy = (await Support.ItemReader.ReadAsync(_destination.Endpoint, [key]))[Support.ItemReader.Id(key)];
        Assert.InRange(copy.Ttl, 4990, 5000);
    }
}
