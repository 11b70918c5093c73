using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.ExportImport;

/// <summary>
/// Keys piped from a listing of several servers (Get-MemcacheKeys a, b | Export-MemcacheData): each key is fetched
/// only from the server it was listed on, so none is counted missing because it was asked of the other server.
/// </summary>
public sealed class KeysByServerTests : IAsyncLifetime
{
    private MemcachedProcess _a = null!;
    private MemcachedProcess _b = null!;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mo-kbs-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        _a = MemcachedProcess.Start();
        _b = MemcachedProcess.Start();
        await Seeder.StoreAsync(_a.Endpoint, Seeder.Numbered("a:", 30));
        await Seeder.StoreAsync(_b.Endpoint, Seeder.Numbered("b:", 20));
    }

    public Task DisposeAsync()
    {
        _a.Dispose();
        _b.Dispose();
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EachKeyIsFetchedFromItsOwnServerOnly()
    {
        using var a = Collect("a:", 30);
        using var b = Collect("b:", 20);
        var sink = new CollectingSink();
        var result = await ExportService.RunAsync(new ExportOptions
        {
            Servers = [_a.ServerEndpoint, _b.ServerEndpoint],
            Path = _dir,
            Keys = KeySource.PerServer(new Dictionary<string, KeySource>
            {
                [_a.ServerEndpoint.ToString()] = a.ToKeySource()!,
                [_b.ServerEndpoint.ToString()] = b.ToKeySource()!,
            }),
        }, sink, CancellationToken.None);

        Assert.Empty(sink.Errors);
        Assert.True(result.Complete);
        Assert.Equal(50, result.Listed);
        Assert.Equal(50, result.Dumped);
        Assert.Equal(0, result.Missing);
    }

    [Fact]
    public async Task A_server_named_without_keys_of_its_own_is_an_error_naming_it()
    {
        using var a = Collect("a:", 3);
        var sink = new CollectingSink();
        var error = await Assert.ThrowsAsync<MemcacheOps.Engine.MemcacheException>(() => ExportService.RunAsync(new ExportOptions
        {
            Servers = [_a.ServerEndpoint, _b.ServerEndpoint],
            Path = _dir,
            Keys = KeySource.PerServer(new Dictionary<string, KeySource> { [_a.ServerEndpoint.ToString()] = a.ToKeySource()! }),
        }, sink, CancellationToken.None));

        Assert.Equal("KeysNotGivenForServer", error.ErrorId);
        Assert.Contains(_b.ServerEndpoint.ToString(), error.Message, StringComparison.Ordinal);
    }

    private static KeyCollector Collect(string prefix, int count)
    {
        var collector = new KeyCollector("piped key");
        for (var i = 0; i < count; i++)
            collector.Add($"{prefix}{i}");
        return collector;
    }
}
