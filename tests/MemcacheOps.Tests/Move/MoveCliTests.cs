using System.Text.Json;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Move;

/// <summary><c>memcacheops move</c>: the plan, a run, exit codes.</summary>
public sealed class MoveCliTests : IAsyncLifetime
{
    private const int Items = 2000;
    private MemcachedProcess _source = null!;
    private MemcachedProcess _destination = null!;

    public async Task InitializeAsync()
    {
        _source = MemcachedProcess.Start(memoryMb: 64);
        _destination = MemcachedProcess.Start(memoryMb: 64);
        await Seeder.StoreAsync(_source.Endpoint, Seeder.Numbered("cli:", Items, 100));
    }

    public Task DisposeAsync()
    {
        _source.Dispose();
        _destination.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task What_if_prints_the_plan_and_writes_nothing()
    {
        var (code, output, errors) = await CliRunner.RunAsync("move", "--source", _source.Endpoint, "--destination", _destination.Endpoint, "--what-if");

        Assert.True(code == 0, errors);
        Assert.Contains($"would move 2,000 items", output, StringComparison.Ordinal);
        Assert.Contains(_destination.Endpoint, output, StringComparison.Ordinal);
        Assert.Equal(0, MoveVerifier.Stat(_destination, "cmd_set"));
        Assert.Equal(0, MoveVerifier.Stat(_destination, "curr_items"));
    }

    [Fact]
    public async Task Moves_and_exits_zero_when_every_destination_succeeded()
    {
        var (code, output, errors) = await CliRunner.RunAsync("move", "--source", _source.Endpoint, "--destination", _destination.Endpoint,
            "--passes", "2", "--sync-deletes", "--json");

        Assert.True(code == 0, errors + output);
        using var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.Equal("Successful", result.RootElement.GetProperty("status").GetString());
        Assert.Equal(Items, result.RootElement.GetProperty("copied").GetInt64());
        Assert.Equal(0, result.RootElement.GetProperty("residual").GetInt64());
        Assert.Empty(await MoveVerifier.DifferencesAsync(_source.Endpoint, _destination.Endpoint));
    }

    [Fact]
    public async Task Exits_two_when_the_preflight_refuses_or_a_destination_fails()
    {
        using var small = MemcachedProcess.Start(memoryMb: 8);
        await Seeder.StoreAsync(_source.Endpoint, Seeder.Numbered("cli:big:", 6000, 2000));
        var refused = await CliRunner.RunAsync("move", "--source", _source.Endpoint, "--destination", small.Endpoint);
        Assert.Equal(2, refused.Code);
        Assert.Contains("MoveDestinationTooSmall", refused.Errors, StringComparison.Ordinal);

        var unreachable = FreePort.Closed();
        var failed = await CliRunner.RunAsync("move", "--source", _source.Endpoint, "--destination", $"{_destination.Endpoint},{unreachable}");
        Assert.Equal(2, failed.Code);
        Assert.Contains("FAILED", failed.Output, StringComparison.Ordinal);
        Assert.Contains(unreachable, failed.Errors, StringComparison.Ordinal);
    }
}
