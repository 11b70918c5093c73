using MemcacheOps.Adapters.Latency;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Verification.Latency;

namespace MemcacheOps.Tests.Latency;

public sealed class LatencyUnitTests
{
    [Theory]
    [InlineData("get=90,set=10", "get=90,set=10")]
    [InlineData(" MG = 3 , ms=1 ", "mg=3,ms=1")]
    [InlineData("get,set", "get=1,set=1")]
    [InlineData("get=1,delete=0,touch=2", "get=1,touch=2")]
    public void Mix_parses_names_and_weights(string text, string normalised)
        => Assert.Equal(normalised, OperationMix.Parse(text).Text);

    [Theory]
    [InlineData("")]
    [InlineData("get=90,fetch=10")]
    [InlineData("get=-1")]
    [InlineData("get=x")]
    [InlineData("get=0")]
    [InlineData("get=1,get=2")]
    public void Mix_rejects_what_it_cannot_run(string text)
        => Assert.Equal("LatencyMixInvalid", Assert.Throws<MemcacheException>(() => OperationMix.Parse(text)).ErrorId);

    [Fact]
    public void Mix_picks_operations_in_proportion()
    {
        var mix = OperationMix.Parse("get=90,set=10");
        var random = new Random(7);
        var sets = Enumerable.Range(0, 100_000).Count(_ => mix.Pick(random.NextDouble()) == LoadOperation.Set);
        Assert.InRange(sets, 9_500, 10_500);
    }

    [Fact]
    public void ValueSize_fixed_range_and_weighted()
    {
        Assert.Equal(100, ValueSizeSpec.Parse("100").Pick(12345));
        var range = ValueSizeSpec.Parse("10-20");
        var sizes = Enumerable.Range(0, 10_000).Select(i => range.Pick((ulong)i * 0x9E3779B97F4A7C15UL)).ToList();
        Assert.Equal(10, sizes.Min());
        Assert.Equal(20, sizes.Max());
        var weighted = ValueSizeSpec.Parse("100=80,4096=20");
        Assert.Equal(4096, weighted.Max);
        var large = Enumerable.Range(0, 10_000).Count(i => weighted.Pick(Mix(i)) == 4096);
        Assert.InRange(large, 1_700, 2_300);
    }

    [Theory]
    [InlineData("big")]
    [InlineData("20-10")]
    [InlineData("100=0")]
    [InlineData("-5")]
    [InlineData("999999999999")]
    public void ValueSize_rejects_what_it_cannot_use(string text)
        => Assert.Equal("LatencyValueSizeInvalid", Assert.Throws<MemcacheException>(() => ValueSizeSpec.Parse(text)).ErrorId);

    [Fact]
    public void Zipf_makes_the_first_keys_hot()
    {
        var zipf = new ZipfGenerator(10_000);
        var random = new Random(3);
        var draws = Enumerable.Range(0, 200_000).Select(_ => zipf.Next(random.NextDouble())).ToList();
        Assert.All(draws, d => Assert.InRange(d, 0, 9_999));
        var top10 = draws.Count(d => d < 10) / (double)draws.Count;
        var uniformTop10 = 10 / 10_000.0;
        Assert.True(top10 > 100 * uniformTop10, $"the 10 hottest keys got {top10:P1} of the draws");
        Assert.True(draws.Count(d => d == 0) > draws.Count(d => d == 1));
    }

    [Fact]
    public void Values_are_unique_per_key_and_version_and_verify_byte_for_byte()
    {
        var pattern = new ValuePattern(ValueSizeSpec.Parse("200"), 42);
        var a = new byte[200];
        var b = new byte[200];
        pattern.Write(1, 1, a);
        pattern.Write(2, 1, b);
        // Not prefixes of one buffer: same length, different keys, different bytes beyond the header too.
        Assert.False(a.AsSpan(ValuePattern.HeaderLength).SequenceEqual(b.AsSpan(ValuePattern.HeaderLength)));
        Assert.True(pattern.Matches(1, 1, a));
        Assert.False(pattern.Matches(2, 1, a)); // served under the wrong key
        Assert.False(pattern.Matches(1, 2, a)); // an older version
        a[150] ^= 1;
        Assert.False(pattern.Matches(1, 1, a)); // one corrupted byte
        Assert.True(ValuePattern.TryReadHeader(b, out var key, out var version) && key == 2 && version == 1);
        // Another run (seed) writes other values.
        var other = new ValuePattern(ValueSizeSpec.Parse("200"), 43);
        Assert.False(other.Matches(2, 1, b));
    }

    [Fact]
    public void Tiny_values_still_verify()
    {
        var pattern = new ValuePattern(ValueSizeSpec.Parse("0-5"), 1);
        for (var key = 0; key < 50; key++)
        {
            var value = new byte[pattern.SizeOf(key, 3)];
            pattern.Write(key, 3, value);
            Assert.True(pattern.Matches(key, 3, value));
        }
    }

    [Fact]
    public void Recording_does_not_allocate()
    {
        // A recording that allocated would do so on every one of 100,000 calls, in every attempt. The runtime may
        // allocate a little on this thread while it recompiles the loop or the recorder (tiering, on-stack
        // replacement), which happens once: so the check is that some attempt allocates nothing at all.
        var recorder = new HdrLatencyHistogramFactory().CreateRecorder();
        var measured = new List<long>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            RecordMany(recorder);
            measured.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            if (measured[^1] == 0)
                return;
        }
        Assert.Fail($"Recording allocated in every attempt: {string.Join(", ", measured)} bytes for 100,002 recordings each.");
    }

    private static void RecordMany(ILatencyRecorder recorder)
    {
        for (var i = 0; i < 100_000; i++)
            recorder.Record(i % 50_000 + 1);
        recorder.Record(-5);
        recorder.Record(long.MaxValue);
    }

    [Fact]
    public void Recorder_hands_over_intervals_and_percentiles_are_ordered()
    {
        var factory = new HdrLatencyHistogramFactory();
        var recorder = factory.CreateRecorder();
        for (var i = 1; i <= 10_000; i++)
            recorder.Record(i);
        var first = factory.CreateHistogram();
        recorder.TakeInterval(first);
        Assert.Equal(10_000, first.Count);
        Assert.InRange(first.ValueAtPercentile(50), 4_990, 5_010);
        Assert.InRange(first.ValueAtPercentile(99), 9_890, 9_910);
        Assert.InRange(first.Max, 9_995, 10_010);
        recorder.Record(7);
        var second = factory.CreateHistogram();
        recorder.TakeInterval(second);
        Assert.Equal(1, second.Count);
        first.Add(second);
        Assert.Equal(10_001, first.Count);
        var p = LatencyPercentiles.From(first);
        Assert.True(p.P50 <= p.P90 && p.P90 <= p.P99 && p.P99 <= p.P999 && p.P999 <= p.P9999 && p.P9999 <= p.Max);
    }

    [Fact]
    public void Hlog_reads_back_in_HdrHistogram()
    {
        var factory = new HdrLatencyHistogramFactory();
        using var stream = new MemoryStream();
        var start = DateTimeOffset.UtcNow;
        using (var writer = factory.CreateLogWriter(stream, start))
        {
            var h = factory.CreateHistogram();
            var recorder = factory.CreateRecorder();
            for (var i = 0; i < 500; i++)
                recorder.Record(100 + i);
            recorder.TakeInterval(h);
            writer.Write(h, start, start.AddSeconds(1), "127.0.0.1:11211");
        }
        stream.Position = 0;
        using var reader = new HdrHistogram.HistogramLogReader(stream);
        var read = Assert.Single(reader.ReadHistograms());
        Assert.Equal(500, read.TotalCount);
        Assert.Equal("127.0.0.1:11211", read.Tag);
    }

    [Fact]
    public void Options_are_checked_with_what_to_change()
    {
        var ok = new LatencyOptions { Servers = [new MemcacheOps.Engine.Endpoints.ServerEndpoint("127.0.0.1", 11211)] };
        ok.Validate();
        Assert.Equal("LatencyPipelineInvalid", Assert.Throws<MemcacheException>(() => (ok with { Pipeline = 0 }).Validate()).ErrorId);
        Assert.Equal("LatencyKeyCountInvalid", Assert.Throws<MemcacheException>(() => (ok with { KeyCount = 0 }).Validate()).ErrorId);
        Assert.Equal("LatencyTargetRateInvalid", Assert.Throws<MemcacheException>(() => (ok with { TargetRate = -1 }).Validate()).ErrorId);
        Assert.Equal("LatencyMaxErrorRateInvalid", Assert.Throws<MemcacheException>(() => (ok with { MaxErrorRate = 2 }).Validate()).ErrorId);
        Assert.Equal(610, (ok with { Duration = TimeSpan.FromSeconds(10) }).EffectiveTimeToLive);
    }

    private static ulong Mix(int i) => (ulong)i * 0x9E3779B97F4A7C15UL ^ ((ulong)i << 17);
}
