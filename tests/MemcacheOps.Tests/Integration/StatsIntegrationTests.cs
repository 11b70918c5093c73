using System.Text.Json;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Integration;

public sealed class StatsIntegrationTests : IAsyncLifetime
{
    private MemcachedProcess _server = null!;

    public async Task InitializeAsync()
    {
        _server = MemcachedProcess.Start(memoryMb: 64);
        await Seeder.StoreAsync(_server.Endpoint, Seeder.Numbered("stat:", 500, 100));
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        return Task.CompletedTask;
    }

    private async Task<CollectingSink> RunAsync(StatsOptions options)
    {
        var sink = new CollectingSink();
        await StatsService.RunAsync(options, sink, CancellationToken.None);
        return sink;
    }

    [Fact]
    public async Task General_stats_are_typed_and_complete()
    {
        var sink = await RunAsync(new StatsOptions { Servers = [_server.ServerEndpoint] });
        var stats = Assert.IsType<ServerStats>(Assert.Single(sink.Results));
        Assert.Equal("1.6.18", stats.Version);
        Assert.Equal(_server.Pid, stats.Pid);
        Assert.Equal(500, stats.CurrentItems);
        Assert.Equal(64L * 1024 * 1024, stats.LimitBytes);
        Assert.InRange(stats.MemoryUsedPercent, 0.01, 100);
        Assert.InRange(Math.Abs(stats.ClockSkew.TotalSeconds), 0, 3);
        Assert.True(stats.Raw.ContainsKey("rusage_user"));
        Assert.Equal(_server.Endpoint, stats.Server);
    }

    [Theory]
    [InlineData(StatsGroup.Slabs, typeof(SlabClassStats))]
    [InlineData(StatsGroup.Items, typeof(ItemClassStats))]
    [InlineData(StatsGroup.Settings, typeof(ServerSettings))]
    [InlineData(StatsGroup.Conns, typeof(ConnectionStats))]
    public async Task Groups_give_their_records(StatsGroup group, Type type)
    {
        var sink = await RunAsync(new StatsOptions { Servers = [_server.ServerEndpoint], Group = group });
        Assert.NotEmpty(sink.Results);
        Assert.All(sink.Results, r => Assert.IsType(type, r));
        if (group == StatsGroup.Settings)
            Assert.Equal(1024 * 1024, ((ServerSettings)sink.Results[0]).ItemSizeMax);
        if (group == StatsGroup.Items)
        {
            // The per-class counts add up to the server's own item count (at least the 500 seeded).
            var perClass = sink.Results.Cast<ItemClassStats>().Sum(i => i.Number);
            var general = await RunAsync(new StatsOptions { Servers = [_server.ServerEndpoint] });
            Assert.Equal(((ServerStats)general.Results[0]).CurrentItems, perClass);
            Assert.True(perClass >= 500, $"{perClass} items counted, 500 seeded");
        }
    }

    [Fact]
    public async Task Sampling_emits_rates_per_interval()
    {
        var sink = await RunAsync(new StatsOptions { Servers = [_server.ServerEndpoint], Interval = TimeSpan.FromMilliseconds(200), Count = 2 });
        var samples = sink.ResultsOf<StatsSample>().ToList();
        Assert.Equal([1, 2], samples.Select(s => s.Sample));
        Assert.All(samples, s => Assert.True(s.GetsPerSecond >= 0 && s.Interval > TimeSpan.Zero));
    }

    [Fact]
    public async Task An_unreachable_server_is_an_error_for_that_server_only()
    {
        var closed = FreePort.Closed();
        var sink = await RunAsync(new StatsOptions { Servers = [_server.ServerEndpoint, ServerEndpoint.Parse(closed)] });
        Assert.Single(sink.ResultsOf<ServerStats>());
        var error = Assert.Single(sink.Errors);
        Assert.Equal("MemcacheConnectionFailed", error.ErrorId);
        Assert.Equal(closed, error.Target);
    }

    [Fact]
    public async Task Cli_prints_json_and_fails_on_unreachable()
    {
        var (code, output, _) = await CliRunner.RunAsync("stats", "--server", _server.Endpoint, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output.Trim());
        Assert.Equal("1.6.18", doc.RootElement.GetProperty("version").GetString());

        var (failCode, _, errors) = await CliRunner.RunAsync("stats", "--server", $"{_server.Endpoint},{FreePort.Closed()}");
        Assert.Equal(2, failCode);
        Assert.Contains("Cannot connect", errors, StringComparison.Ordinal);
    }
}
