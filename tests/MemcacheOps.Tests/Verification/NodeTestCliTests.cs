using System.Text.Json;
using MemcacheOps.Engine.Verification.NodeChecks;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Verification;

/// <summary><c>memcacheops test</c>: one line per check and a summary per server, JSON lines, --quiet, exit codes.</summary>
public sealed class NodeTestCliTests : IAsyncLifetime
{
    private MemcachedProcess _a = null!;
    private MemcachedProcess _b = null!;

    public Task InitializeAsync()
    {
        _a = MemcachedProcess.Start(memoryMb: 64);
        _b = MemcachedProcess.Start("-I 64k -o slab_chunk_max=32768", memoryMb: 64);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _a.Dispose();
        _b.Dispose();
        return Task.CompletedTask;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task A_healthy_server_exits_0_with_a_line_per_check_and_a_summary()
    {
        var (code, output, errors) = await CliRunner.RunAsync("test", "--server", _a.Endpoint);

        Assert.True(code == 0, output + errors);
        var lines = Lines(output);
        Assert.Equal(NodeCheckCatalog.All.Count + 3, lines.Length);
        Assert.All(lines[..^1], l => Assert.Matches($"^(pass|skip)  {_a.Endpoint}  [A-Za-z]+/[A-Za-z0-9]+ ", l));
        Assert.Matches($@"^{_a.Endpoint} \(memcached 1\.6\.18\): passed: \d+ passed, 0 failed, 2 skipped in ", lines[^1]);
    }

    [Fact]
    public async Task Json_prints_one_object_per_check_then_the_summary()
    {
        var (code, output, _) = await CliRunner.RunAsync("test", "--server", _a.Endpoint, "--json");

        Assert.Equal(0, code);
        var lines = Lines(output);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(_a.Endpoint, first.RootElement.GetProperty("server").GetString());
        Assert.Equal("Server", first.RootElement.GetProperty("group").GetString());
        Assert.Equal("Discover", first.RootElement.GetProperty("check").GetString());
        Assert.Equal("Passed", first.RootElement.GetProperty("result").GetString());
        Assert.False(string.IsNullOrEmpty(first.RootElement.GetProperty("expected").GetString()));
        Assert.False(string.IsNullOrEmpty(first.RootElement.GetProperty("actual").GetString()));
        Assert.True(first.RootElement.TryGetProperty("duration", out _));
        using var summary = JsonDocument.Parse(lines[^1]);
        Assert.True(summary.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(0, summary.RootElement.GetProperty("failedCount").GetInt32());
        Assert.Equal(NodeCheckCatalog.All.Count + 3, lines.Length);
    }

    [Fact]
    public async Task Quiet_prints_one_line_per_server_in_the_order_given_and_runs_them_at_once()
    {
        var (code, output, errors) = await CliRunner.RunAsync("test", "--server", $"{_b.Endpoint},{_a.Endpoint}", "--quiet");

        Assert.True(code == 0, output + errors);
        var lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith(_b.Endpoint + " (memcached 1.6.18): passed:", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(_a.Endpoint + " (memcached 1.6.18): passed:", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_server_it_is_a_usage_error()
    {
        var (code, _, errors) = await CliRunner.RunAsync("test");

        Assert.Equal(2, code);
        Assert.Contains("--server is required", errors, StringComparison.Ordinal);
    }
}
