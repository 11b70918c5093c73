using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;
using static MemcacheOps.Tests.Compare.CompareRunner;

namespace MemcacheOps.Tests.Compare;

/// <summary>Server against server: no output when equal, and every kind of difference found exactly.</summary>
public sealed class CompareServersTests : IAsyncLifetime
{
    private static readonly byte[] BinaryMissing = [0, 1, 2, 255];
    private static readonly byte[] BinaryExtra = [9, 0, 10, 13, 32];

    private MemcachedProcess _a = null!;
    private MemcachedProcess _b = null!;

    public Task InitializeAsync()
    {
        _a = MemcachedProcess.Start(memoryMb: 64);
        _b = MemcachedProcess.Start(memoryMb: 64);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _a.Dispose();
        _b.Dispose();
        return Task.CompletedTask;
    }

    private static List<SeedItem> Common(int count)
    {
        var random = new Random(11);
        var items = new List<SeedItem>();
        for (var i = 0; i < count; i++)
        {
            var value = new byte[random.Next(0, 3000)];
            random.NextBytes(value);
            items.Add(new SeedItem(Utf8($"same:{i}"), value, (uint)i * 7919, i % 3 == 0 ? 0 : 3600));
        }
        items.Add(new SeedItem([0xC3, 0x28, 1, 2], [1, 2, 3], uint.MaxValue));    // binary key, all flag bits
        items.Add(new SeedItem(Utf8("sp ace\r\nkey"), [], 5));                    // needs base64, empty value
        items.Add(new SeedItem(Utf8("large"), new byte[500_000], 1, 7200));        // spans many reads
        return items;
    }

    [Fact]
    public async Task Identical_servers_emit_nothing()
    {
        var items = Common(2000);
        await Seeder.StoreAsync(_a.Endpoint, items);
        await Seeder.StoreAsync(_b.Endpoint, items);

        // Small batches and several connections, so many batches are in flight on every pipeline.
        var (summary, differences, sink) = await RunAsync(Servers(_a.Endpoint), Servers(_b.Endpoint),
            o => o with { BatchSize = 7, Connections = 3, Window = 3 });

        Assert.Empty(differences);
        Assert.Empty(sink.Results.OfType<CompareSummary>()); // the summary is emitted only with -Summary
        Assert.Equal(items.Count, summary.Compared);
        Assert.Equal(items.Count, summary.Equal);
        Assert.True(summary.IsEqual);
        Assert.Equal(1, summary.SampledFraction);
        Assert.Contains(sink.ProgressSnapshots, p => p.Completed && p.Phase.StartsWith("pass 2", StringComparison.Ordinal));
    }

    private async Task SeedEveryKindAsync()
    {
        var common = Common(200);
        await Seeder.StoreAsync(_a.Endpoint, common);
        await Seeder.StoreAsync(_b.Endpoint, common);
        await Seeder.StoreAsync(_a.Endpoint,
        [
            new SeedItem(Utf8("missing:1"), Utf8("gone"), 3, 600),
            new SeedItem(BinaryMissing, Utf8("binary"), 4),
            new SeedItem(Utf8("value:same-length"), Utf8("aaaaa"), 1),
            new SeedItem(Utf8("value:and-flags"), Utf8("x"), 1),
            new SeedItem(Utf8("flags:1"), Utf8("same"), 1),
            new SeedItem(Utf8("ttl:far"), Utf8("same"), 0, 1000),
            new SeedItem(Utf8("ttl:near"), Utf8("same"), 0, 1000),
            new SeedItem(Utf8("ttl:never"), Utf8("same"), 0, 0),
        ]);
        await Seeder.StoreAsync(_b.Endpoint,
        [
            new SeedItem(Utf8("value:same-length"), Utf8("aaaab"), 1),
            new SeedItem(Utf8("value:and-flags"), Utf8("y"), 2),
            new SeedItem(Utf8("flags:1"), Utf8("same"), 2),
            new SeedItem(Utf8("ttl:far"), Utf8("same"), 0, 2000),
            new SeedItem(Utf8("ttl:near"), Utf8("same"), 0, 1001),
            new SeedItem(Utf8("ttl:never"), Utf8("same"), 0, 1000),
            new SeedItem(Utf8("extra:1"), Utf8("new"), 8, 300),
            new SeedItem(BinaryExtra, Utf8("binary extra"), 9),
        ]);
    }

    [Fact]
    public async Task Every_kind_is_detected_exactly()
    {
        await SeedEveryKindAsync();

        var (summary, differences, _) = await RunAsync(Servers(_a.Endpoint), Servers(_b.Endpoint));

        Assert.Equal(
        [
            "%00%01%02%FF=Missing",
            "%09%00%0A%0D%20=Extra",
            "extra:1=Extra",
            "flags:1=FlagsMismatch",
            "missing:1=Missing",
            "ttl:far=TtlMismatch",
            "ttl:never=TtlMismatch",
            "value:and-flags=ValueMismatch",
            "value:same-length=ValueMismatch",
        ], Kinds(differences));

        var missing = differences.Single(d => d.Key == "missing:1");
        Assert.Equal(_a.Endpoint, missing.ReferenceServer);
        Assert.Equal(_b.Endpoint, missing.DifferenceServer);
        Assert.Equal(4, missing.ReferenceSize);
        Assert.Equal(3u, missing.ReferenceFlags);
        Assert.InRange(missing.ReferenceTtl!.Value, 590, 600);
        Assert.Null(missing.DifferenceSize);
        Assert.Null(missing.DifferenceFlags);
        Assert.Null(missing.DifferenceTtl);

        var binary = differences.Single(d => d.Kind == DifferenceKind.Missing && d.IsBinaryKey);
        Assert.Equal(BinaryMissing, binary.KeyBytes);
        var binaryExtra = differences.Single(d => d.Kind == DifferenceKind.Extra && d.IsBinaryKey);
        Assert.Equal(BinaryExtra, binaryExtra.KeyBytes);

        var extra = differences.Single(d => d.Key == "extra:1");
        Assert.Equal(_a.Endpoint, extra.ReferenceServer);
        Assert.Equal(_b.Endpoint, extra.DifferenceServer);
        Assert.Null(extra.ReferenceSize);
        Assert.Null(extra.ReferenceFlags);
        Assert.Null(extra.ReferenceTtl);
        Assert.Equal(3, extra.DifferenceSize);
        Assert.Equal(8u, extra.DifferenceFlags);
        Assert.InRange(extra.DifferenceTtl!.Value, 290, 300);

        // Value and flags both differ: the value is reported, with every field of both sides.
        var both = differences.Single(d => d.Key == "value:and-flags");
        Assert.Equal((1u, 2u), (both.ReferenceFlags!.Value, both.DifferenceFlags!.Value));
        Assert.Equal((1L, 1L), (both.ReferenceSize!.Value, both.DifferenceSize!.Value));
        Assert.Equal((-1L, -1L), (both.ReferenceTtl!.Value, both.DifferenceTtl!.Value));

        var never = differences.Single(d => d.Key == "ttl:never");
        Assert.Equal(-1, never.ReferenceTtl);
        Assert.InRange(never.DifferenceTtl!.Value, 990, 1000);

        Assert.Equal(200 + 3 + 8 + 2, summary.Compared);
        Assert.Equal(200 + 3 + 1, summary.Equal); // ttl:near is within the tolerance
        Assert.Equal((2L, 2L, 2L, 1L, 2L), (summary.Missing, summary.Extra, summary.ValueMismatch, summary.FlagsMismatch, summary.TtlMismatch));
    }

    [Fact]
    public async Task Summary_replaces_the_differences_with_one_object()
    {
        await SeedEveryKindAsync();

        var (_, differences, sink) = await RunAsync(Servers(_a.Endpoint), Servers(_b.Endpoint), o => o with { Summary = true });

        Assert.Empty(differences);
        var summary = Assert.Single(sink.Results.OfType<CompareSummary>());
        Assert.Single(sink.Results);
        Assert.Equal(_a.Endpoint, summary.Reference);
        Assert.Equal(_b.Endpoint, summary.Difference);
        Assert.Equal(213, summary.Compared);
        Assert.Equal(204, summary.Equal);
        Assert.Equal(9, summary.Differences);
        Assert.False(summary.IsEqual);
        Assert.True(summary.Duration > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_wider_tolerance_accepts_ttl_differences()
    {
        await SeedEveryKindAsync();

        var (_, differences, _) = await RunAsync(Servers(_a.Endpoint), Servers(_b.Endpoint), o => o with { TtlTolerance = 5000 });

        Assert.Contains(differences, d => d.Key == "ttl:never" && d.Kind == DifferenceKind.TtlMismatch); // never vs expiring always differs
        Assert.DoesNotContain(differences, d => d.Key == "ttl:far");
    }

    [Fact]
    public async Task Swapping_the_sides_swaps_missing_and_extra()
    {
        await SeedEveryKindAsync();

        var (_, differences, _) = await RunAsync(Servers(_b.Endpoint), Servers(_a.Endpoint));

        Assert.Contains(differences, d => d.Key == "missing:1" && d.Kind == DifferenceKind.Extra);
        Assert.Contains(differences, d => d.Key == "extra:1" && d.Kind == DifferenceKind.Missing);
        Assert.Equal(9, differences.Count);
    }

    [Fact]
    public async Task Sample_checks_the_same_fraction_of_keys_every_time()
    {
        var items = Enumerable.Range(0, 1000).Select(i => new SeedItem(Utf8($"k:{i}"), Utf8("v"))).ToList();
        await Seeder.StoreAsync(_a.Endpoint, items);
        var expected = items.Where(i => new SampleFilter(0.25).Includes(i.Key)).Select(i => System.Text.Encoding.UTF8.GetString(i.Key)).Order(StringComparer.Ordinal).ToArray();
        Assert.InRange(expected.Length, 180, 320);

        var first = await RunAsync(Servers(_a.Endpoint), Servers(_b.Endpoint), o => o with { Sample = 0.25 });
        var second = await RunAsync(Servers(_a.Endpoint), Servers(_b.Endpoint), o => o with { Sample = 0.25 });
        // Extra keys are sampled the same way: swap the sides and the same keys come back.
        var swapped = await RunAsync(Servers(_b.Endpoint), Servers(_a.Endpoint), o => o with { Sample = 0.25 });

        Assert.Equal(expected, first.Differences.Select(d => d.Key).Order(StringComparer.Ordinal));
        Assert.Equal(expected, second.Differences.Select(d => d.Key).Order(StringComparer.Ordinal));
        Assert.Equal(expected, swapped.Differences.Select(d => d.Key).Order(StringComparer.Ordinal));
        Assert.All(first.Differences, d => Assert.Equal(DifferenceKind.Missing, d.Kind));
        Assert.All(swapped.Differences, d => Assert.Equal(DifferenceKind.Extra, d.Kind));
        Assert.Equal(0.25, first.Summary.SampledFraction);
        Assert.Equal(expected.Length, first.Summary.Compared);
    }

    [Fact]
    public async Task Throttled_comparison_still_finds_nothing_on_equal_servers()
    {
        var items = Enumerable.Range(0, 300).Select(i => new SeedItem(Utf8($"t:{i}"), Utf8("value"), (uint)i)).ToList();
        await Seeder.StoreAsync(_a.Endpoint, items);
        await Seeder.StoreAsync(_b.Endpoint, items);

        var (summary, differences, _) = await RunAsync(Servers(_a.Endpoint), Servers(_b.Endpoint),
            o => o with { MaxOperationsPerSecond = 2000, MaxBytesPerSecond = 1_000_000 });

        Assert.Empty(differences);
        Assert.Equal(300, summary.Equal);
    }

    [Fact]
    public async Task A_server_that_dies_during_the_comparison_fails_it()
    {
        var items = Enumerable.Range(0, 20_000).Select(i => new SeedItem(Utf8($"d:{i}"), Utf8("value"))).ToList();
        await Seeder.StoreAsync(_a.Endpoint, items);
        await Seeder.StoreAsync(_b.Endpoint, items);
        var options = new ComparisonOptions
        {
            Reference = Servers(_a.Endpoint),
            Difference = Servers(_b.Endpoint),
            MaxOperationsPerSecond = 4000, // about 5 s per pass, so the kill lands mid-run
        };

        var run = CompareService.RunAsync(options, new CollectingSink(), CancellationToken.None);
        await Task.Delay(500);
        _b.Kill();

        var error = await Assert.ThrowsAnyAsync<Engine.MemcacheException>(() => run.WaitAsync(Limit));
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_fails_before_comparing()
    {
        var error = await Assert.ThrowsAsync<Engine.MemcacheException>(() =>
            CompareService.RunAsync(new ComparisonOptions { Reference = Servers(_a.Endpoint), Difference = Servers(FreePort.Closed()) },
                new CollectingSink(), CancellationToken.None).WaitAsync(Limit));
        Assert.Equal(Engine.MemcacheErrorKind.ConnectionFailed, error.Kind);
    }
}
