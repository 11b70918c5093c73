using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Move;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Move;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Acceptance;

/// <summary>
/// The move issue's acceptance checks on the 200,000-key reference data set (535 MiB): sync passes
/// under live writes, and the preflight against a destination far too small. The tests share the
/// reference-set collection so these heavy runs never overlap each other; the sync test loads its own
/// source because its writer changes it, and the shared source is only read.
/// </summary>
[Collection(ReferenceSetCollection.Name)]
public sealed class MoveAtReferenceScaleTests(ReferenceSetFixture fixture, ITestOutputHelper output)
{
    private const int Count = ReferenceSetFixture.Count;

    /// <summary>Bounds on each step: several times what they take on 2 busy cores, so a hang fails instead of blocking the run.</summary>
    private static readonly TimeSpan LoadLimit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MoveLimit = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan CompareLimit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Sync_under_live_writes_leaves_only_keys_touched_after_the_final_pass_started_and_the_residual_is_what_Compare_finds()
    {
        var clock = Stopwatch.StartNew();
        using var source = MemcachedProcess.Start(memoryMb: 1024);
        using var destination = MemcachedProcess.Start(memoryMb: 1024);
        var loaded = await DataSetLoader.LoadAsync(source, 0, Count, timeout: LoadLimit);
        Assert.Equal(Count, loaded.Items);
        var loadTime = clock.Elapsed;

        var referenceKeys = Enumerable.Range(0, Count).Select(n => ReferenceDataSet.Key(n)).ToList();
        await using var writer = new BackgroundWriter(source.Endpoint, referenceKeys, operationsPerSecond: 3000, seed: 21);
        // As docs/move.md defines it, the residual is what differs when the listing after the last pass
        // runs; the writer stops as that phase starts, so the listing and the comparison below see the same source.
        var sink = new PhaseRecordingSink(phase => phase.EndsWith("measuring the residual", StringComparison.Ordinal) ? writer.StopAsync() : Task.CompletedTask);
        await Task.Delay(300); // traffic before the move starts too

        using var moveTimeout = new CancellationTokenSource(MoveLimit);
        var results = await MoveService.RunAsync(new MoveOptions
        {
            Sources = [source.ServerEndpoint],
            Destinations = [destination.ServerEndpoint],
            Passes = 3,
            ChangeThreshold = 0,
            SyncDeletes = true,
        }, sink, moveTimeout.Token).WaitAsync(MoveLimit + TimeSpan.FromSeconds(30));
        await writer.StopAsync();
        var moveTime = clock.Elapsed - loadTime;

        Assert.Empty(sink.Inner.Errors);
        var result = Assert.Single(results);
        Assert.True(result.Status == MoveStatus.Successful, string.Join(" | ", result.Notes));
        Assert.Equal(3, result.Passes);
        Assert.Equal(0, result.Evictions);
        Assert.Equal(0, result.Failed);
        Assert.True(writer.Creates > 0 && writer.Overwrites > 0 && writer.Deletes > 0);
        Assert.True(result.Copied >= Count - writer.Deletes, "the first pass copies the whole data set but what was deleted before it read it");
        Assert.True(result.Deleted > 0, "keys deleted on the source during the first passes must be deleted on the destination");

        // The engine's comparison of every key, both ways: value, flags, and TTL within 2 s.
        var compareSink = new CollectingSink();
        using var compareTimeout = new CancellationTokenSource(CompareLimit);
        var summary = await CompareService.RunAsync(new ComparisonOptions
        {
            Reference = CompareSide.FromServers([source.ServerEndpoint]),
            Difference = CompareSide.FromServers([destination.ServerEndpoint]),
            TtlTolerance = 2,
        }, compareSink, compareTimeout.Token).WaitAsync(CompareLimit + TimeSpan.FromSeconds(30));
        Assert.Empty(compareSink.Errors);
        var differences = compareSink.ResultsOf<MemcacheDifference>().ToList();
        var differentKeys = differences.Select(d => Convert.ToHexString(d.KeyBytes)).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(summary.Differences, differences.Count);
        Assert.Equal(differences.Count, differentKeys.Count); // one difference per key

        var finalPassStarted = sink.Started(string.Create(CultureInfo.InvariantCulture, $"pass {result.Passes}: listing and copying"));
        var touchedAfter = writer.TouchedSince(finalPassStarted);
        var touchedEver = writer.TouchedSince(long.MinValue);
        var touchedReferenceKeys = touchedEver.Count(k => Convert.FromHexString(k).AsSpan().StartsWith("key:"u8));
        output.WriteLine($"load {loadTime.TotalSeconds:0.0} s, move {moveTime.TotalSeconds:0.0} s, compare {summary.Duration.TotalSeconds:0.0} s; " +
            $"writer: {writer.Creates} creates, {writer.Overwrites} overwrites, {writer.Deletes} deletes ({touchedReferenceKeys} reference keys touched); " +
            $"move: copied {result.Copied}, deleted {result.Deleted}, missing {result.Missing}, residual {result.Residual}; " +
            $"compare: {summary.Compared} compared, {summary.Missing} missing, {summary.Extra} extra, {summary.ValueMismatch} value, {summary.FlagsMismatch} flags, {summary.TtlMismatch} ttl; " +
            $"touched after the final pass started {touchedAfter.Count}");

        var unexplained = differentKeys.Except(touchedAfter).ToList();
        Assert.True(unexplained.Count == 0,
            $"{unexplained.Count} difference(s) among keys not touched after the final pass started, e.g. {string.Join(", ", unexplained.Take(5).Select(Describe))}");
        Assert.Equal(differences.Count, result.Residual);
        Assert.True(result.Residual > 0, "the writer ran during the final pass, so something must have changed after it read the keys");

        // Independently of the engine: every reference key the writer never touched arrived exactly.
        var check = await DataSetLoader.VerifyAsync(destination, 0, Count, timeout: LoadLimit);
        Assert.True(check.Ok >= Count - touchedReferenceKeys,
            $"{Count - touchedReferenceKeys - check.Ok} untouched reference key(s) are not exact on the destination: {string.Join("; ", check.Problems)}");
        output.WriteLine($"destination: {check.Ok} reference items exact, {check.Bad} different, {check.Missing} missing; total {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Preflight_refuses_a_64_MiB_destination_for_the_535_MiB_set_and_writes_nothing()
    {
        using var small = MemcachedProcess.Start(memoryMb: 64);
        var clock = Stopwatch.StartNew();

        using var timeout = new CancellationTokenSource(MoveLimit);
        var error = await Assert.ThrowsAsync<MemcacheException>(() => MoveService.RunAsync(Options(small), new CollectingSink(), timeout.Token).WaitAsync(MoveLimit));
        output.WriteLine($"refused in {clock.Elapsed.TotalSeconds:0.0} s: {error.Message}");

        Assert.Equal("MoveDestinationTooSmall", error.ErrorId);
        Assert.Equal(small.Endpoint, error.Target);
        Assert.Contains($"destination {small.Endpoint} would receive 200,000 items", error.Message, StringComparison.Ordinal);
        var sizes = Regex.Match(error.Message,
            @"\((?<data>[0-9.]+) MiB of item data, (?<memory>[0-9.]+) MiB of memory in its slab pages\) but has only (?<free>[0-9.]+) MiB free \(memory limit 64\.0 MiB");
        Assert.True(sizes.Success, "the message gives the data's size, the memory it needs, and the free memory and limit: " + error.Message);
        var data = double.Parse(sizes.Groups["data"].Value, CultureInfo.InvariantCulture);
        var memory = double.Parse(sizes.Groups["memory"].Value, CultureInfo.InvariantCulture);
        var free = double.Parse(sizes.Groups["free"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(data, 535, 600); // 535 MiB of values plus item headers and keys
        Assert.True(memory >= data, "slab chunks are at least as large as the items");
        Assert.InRange(free, 0, 64);
        Assert.Contains("memcached -m", error.Message, StringComparison.Ordinal);
        Assert.Contains("-Force", error.Message, StringComparison.Ordinal);

        Assert.Equal(0, MoveVerifier.Stat(small, "cmd_set"));
        Assert.Equal(0, MoveVerifier.Stat(small, "curr_items"));
        Assert.Equal(Count, MoveVerifier.Stat(fixture.Source, "curr_items"));
    }

    [Fact]
    public async Task Force_moves_the_535_MiB_set_into_64_MiB_and_reports_the_evictions()
    {
        using var small = MemcachedProcess.Start(memoryMb: 64);
        var clock = Stopwatch.StartNew();
        var sink = new CollectingSink();

        using var timeout = new CancellationTokenSource(MoveLimit);
        var result = Assert.Single(await MoveService.RunAsync(Options(small) with { Force = true }, sink, timeout.Token).WaitAsync(MoveLimit + TimeSpan.FromSeconds(30)));
        var evictions = MoveVerifier.Stat(small, "evictions");
        var stored = MoveVerifier.Stat(small, "total_items");
        var held = MoveVerifier.Stat(small, "curr_items");
        output.WriteLine($"moved in {clock.Elapsed.TotalSeconds:0.0} s: status {result.Status}, copied {result.Copied}, failed {result.Failed}, skipped {result.Skipped}, " +
            $"bytes {result.Bytes}, evictions {result.Evictions}, residual {result.Residual}; destination: total_items {stored}, curr_items {held}, evictions {evictions}; notes: {string.Join(" | ", result.Notes)}");

        Assert.Empty(sink.Errors);
        Assert.Contains(sink.Warnings, w => w.Contains("-Force", StringComparison.Ordinal) && w.Contains(small.Endpoint, StringComparison.Ordinal)
                                            && w.Contains("200,000 items", StringComparison.Ordinal));
        // Every item was written once: stored (and maybe evicted later) or refused by the full server.
        Assert.Equal(Count, result.Copied + result.Failed);
        Assert.Equal(0, result.Skipped);
        Assert.Equal(0, result.Missing);
        Assert.Equal(1, result.Passes);
        Assert.Equal(stored, result.Copied);
        Assert.Equal(result.Failed > 0 ? MoveStatus.Failed : MoveStatus.Successful, result.Status);
        // The evictions come from the destination's own counter, and the notes say what they mean.
        Assert.True(result.Evictions > 0, "64 MiB given 535 MiB must evict");
        Assert.Equal(evictions, result.Evictions);
        Assert.Contains(result.Notes, n => n.Contains(string.Create(CultureInfo.InvariantCulture, $"evicted {result.Evictions:N0} item(s)"), StringComparison.Ordinal));
        Assert.InRange(held, 1, result.Copied - result.Evictions);
        // Evicted items are not in the residual (docs/move.md): the source did not change.
        Assert.Equal(0, result.Residual);
        Assert.Equal(Count, MoveVerifier.Stat(fixture.Source, "curr_items"));
    }

    private MoveOptions Options(MemcachedProcess destination) => new()
    {
        Sources = [fixture.Source.ServerEndpoint],
        Destinations = [destination.ServerEndpoint],
    };

    private static string Describe(string keyHex)
        => Engine.Listing.KeyText.ToDisplayString(Convert.FromHexString(keyHex), out _);
}
