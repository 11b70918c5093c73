using System.Globalization;
using System.Text.Json;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Latency;

/// <summary>
/// The acceptance points for <c>memcacheops latency</c>, against real memcached (directly and behind a
/// misbehaving loopback proxy). Timing margins are chosen for a loaded 2-core CI machine: an open-loop client keeps
/// its rate on such a machine by sending what is due late (and charging the wait as latency), and the stall test
/// asks only for half of what the stall causes.
/// </summary>
public sealed class LatencyAcceptanceTests : IDisposable
{
    private readonly MemcachedProcess _server = MemcachedProcess.Start(memoryMb: 128);

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task OpenLoop_at_20000_per_second_for_5_seconds_achieves_the_rate_with_ordered_percentiles()
    {
        var (code, output, errors) = await CliRunner.RunAsync("latency", "--server", _server.Endpoint, "--target-rate", "20000", "--duration", "5", "--json");
        Assert.True(code == 0, $"exit {code}: {errors}{output}");
        var result = Result(output);
        Assert.Equal("OpenLoop", result.GetProperty("mode").GetString());
        var achieved = result.GetProperty("achievedRate").GetDouble();
        Assert.InRange(achieved, 19_000, 21_000);
        Assert.Equal(0, result.GetProperty("errors").GetInt64());
        AssertOrdered(result.GetProperty("latency"));
        AssertOrdered(result.GetProperty("serviceTime"));
        // Service time never exceeds latency measured from the schedule (the send is never before its time).
        Assert.True(result.GetProperty("serviceTime").GetProperty("p50").GetDouble() <= result.GetProperty("latency").GetProperty("p50").GetDouble());
        // The server's own counters agree with the client's: every get answered is a get the server counted.
        var gets = result.GetProperty("byOperation").EnumerateArray().Single(o => o.GetProperty("operation").GetString() == "get");
        Assert.Equal(gets.GetProperty("count").GetInt64(), result.GetProperty("serverDelta").GetProperty("gets").GetInt64());
        Assert.Equal(1.0, result.GetProperty("hitRatio").GetDouble());
        // The run's own keys are gone afterwards (the server held nothing else).
        Assert.Equal(0, _server.Stat("curr_items"));
    }

    [Fact]
    public async Task A_stall_of_200ms_every_2s_shows_in_p99_at_500_per_second_on_one_connection()
    {
        await using var proxy = MisbehavingProxy.Stalling(_server.IPEndPoint, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200));
        var (code, output, errors) = await CliRunner.RunAsync("latency", "--server", proxy.Endpoint, "--target-rate", "500", "--connections", "1",
            "--duration", "4.5", "--key-count", "1000", "--json");
        Assert.True(code == 0, $"exit {code}: {errors}{output}");
        var result = Result(output);
        var p99 = result.GetProperty("latency").GetProperty("p99").GetDouble();
        // Each stall delays every request scheduled during it (about 100 of each 1000): an open-loop client sees
        // about 180 ms at p99; a closed-loop one would charge the stall to one request only.
        Assert.True(p99 >= 100, $"p99 {p99} ms; expected at least 100 ms: {result}");
        // Service time (from the actual send) never exceeds latency (from the schedule); with 32 pipeline slots the
        // first requests of a stall are sent and wait too, so the two may meet at p99.
        Assert.True(result.GetProperty("serviceTime").GetProperty("p99").GetDouble() <= p99, result.ToString());
        Assert.InRange(result.GetProperty("achievedRate").GetDouble(), 450, 550);
    }

    [Fact]
    public async Task A_value_corrupted_on_the_way_is_a_verify_mismatch_and_fails_with_exit_1()
    {
        await using var proxy = MisbehavingProxy.Corrupting(_server.IPEndPoint);
        var (code, output, errors) = await CliRunner.RunAsync("latency", "--server", proxy.Endpoint, "--target-rate", "200", "--duration", "1",
            "--connections", "1", "--pipeline", "1", "--key-count", "100", "--value-size", "2000", "--mix", "get=50,mg=50", "--verify-percent", "100", "--json");
        Assert.Equal(1, code);
        var result = Result(output);
        Assert.False(result.GetProperty("passed").GetBoolean());
        var mismatches = result.GetProperty("errorCounts").GetProperty("verifyMismatch").GetInt64();
        Assert.True(mismatches > 50 && mismatches == proxy.Corrupted, $"{mismatches} mismatches, {proxy.Corrupted} values corrupted");
        Assert.Contains(result.GetProperty("failures").EnumerateArray(), f => f.GetString()!.Contains("not what was written", StringComparison.Ordinal));
        Assert.Contains("Verify mismatch on 127.0.0.1:", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_threshold_that_fails_exits_1_and_names_the_limit()
    {
        var (code, output, _) = await CliRunner.RunAsync("latency", "--server", _server.Endpoint, "--target-rate", "1000", "--duration", "1",
            "--max-p99-milliseconds", "0.001", "--min-rate", "5000", "--json");
        Assert.Equal(1, code);
        var result = Result(output);
        var failures = result.GetProperty("failures").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Contains(failures, f => f.Contains("above the limit of 0.001 ms", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("below the minimum of 5,000/s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Closed_loop_over_a_pool_reports_each_server_and_the_sum()
    {
        using var second = MemcachedProcess.Start(memoryMb: 64);
        var path = Path.Combine(Path.GetTempPath(), "memcacheops-latency-" + Guid.NewGuid().ToString("N") + ".hlog");
        try
        {
            var (code, output, errors) = await CliRunner.RunAsync("latency", "--server", $"{_server.Endpoint},{second.Endpoint}", "--target-rate", "0",
                "--duration", "1.5", "--connections", "2", "--pipeline", "16", "--mix", "mg=70,ms=20,delete=5,touch=5", "--key-distribution", "zipf",
                "--value-size", "10=50,1000=50", "--interval-seconds", "0.5", "--histogram-path", path, "--max-p99-milliseconds", "10000", "--json");
            Assert.True(code == 0, $"exit {code}: {errors}{output}");
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var intervals = lines.Where(l => l.TryGetProperty("rate", out _)).ToList();
            Assert.True(intervals.Count(i => i.GetProperty("server").GetString() == "all") >= 2, output);
            var result = Result(output);
            Assert.Equal("ClosedLoop", result.GetProperty("mode").GetString());
            Assert.StartsWith("all (2 servers)", result.GetProperty("server").GetString(), StringComparison.Ordinal);
            var servers = result.GetProperty("servers").EnumerateArray().ToList();
            Assert.Equal(2, servers.Count);
            Assert.Equal(result.GetProperty("requests").GetInt64(), servers.Sum(s => s.GetProperty("requests").GetInt64()));
            Assert.All(servers, s => Assert.True(s.GetProperty("requests").GetInt64() > 100));
            Assert.Equal(result.GetProperty("latency").GetProperty("count").GetInt64(), result.GetProperty("requests").GetInt64());
            AssertOrdered(result.GetProperty("latency"));
            // The .hlog holds every request answered, in per-server intervals, and reads back in HdrHistogram.
            using var file = File.OpenRead(path);
            using var reader = new HdrHistogram.HistogramLogReader(file);
            var histograms = reader.ReadHistograms().ToList();
            Assert.Equal(result.GetProperty("requests").GetInt64(), histograms.Sum(h => h.TotalCount));
            Assert.Equal(2, histograms.Select(h => h.Tag).Distinct().Count());
            Assert.Equal(0, _server.Stat("curr_items") + second.Stat("curr_items"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_server_that_dies_mid_run_is_an_error_storm_that_stops_the_run_with_exit_2()
    {
        using var victim = MemcachedProcess.Start(memoryMb: 64);
        var run = CliRunner.RunAsync("latency", "--server", victim.Endpoint, "--target-rate", "2000", "--duration", "20", "--timeout", "2", "--json");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var started = DateTime.UtcNow;
        victim.Kill();
        var (code, output, errors) = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, code);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(12), "the run went on long after the server died");
        Assert.Contains("is failing", errors, StringComparison.Ordinal);
        Assert.Contains("LatencyErrorStorm", errors, StringComparison.Ordinal);
        var result = Result(output);
        Assert.False(result.GetProperty("passed").GetBoolean());
        Assert.True(result.GetProperty("errorCounts").GetProperty("reset").GetInt64() > 0, result.ToString());
    }

    [Theory]
    [InlineData("--mix", "get=90,fetch=10", "'fetch' is not an operation")]
    [InlineData("--value-size", "big", "'big' is not a size in bytes")]
    [InlineData("--key-distribution", "pareto", "must be one of uniform, zipf, sequential")]
    [InlineData("--max-error-rate", "5", "fraction of the requests from 0 to 1")]
    public async Task Bad_input_is_exit_2_with_what_to_write(string option, string value, string expected)
    {
        var (code, _, errors) = await CliRunner.RunAsync("latency", "--server", _server.Endpoint, option, value);
        Assert.Equal(2, code);
        Assert.Contains(expected, errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_exit_2()
    {
        var (code, _, errors) = await CliRunner.RunAsync("latency", "--server", FreePort.Closed(), "--duration", "1");
        Assert.Equal(2, code);
        Assert.Contains("MemcacheConnectionFailed", errors, StringComparison.Ordinal);
    }

    private static JsonElement Result(string output)
    {
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.Contains("\"mode\"", StringComparison.Ordinal));
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static void AssertOrdered(JsonElement p)
    {
        var values = new[] { "p50", "p90", "p99", "p999", "p9999", "max" }.Select(n => p.GetProperty(n).GetDouble()).ToList();
        Assert.True(values[0] > 0, p.ToString());
        for (var i = 1; i < values.Count; i++)
            Assert.True(values[i] >= values[i - 1], string.Create(CultureInfo.InvariantCulture, $"percentiles out of order: {p}"));
    }
}
