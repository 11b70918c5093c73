using System.Text;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
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
        static IReadOnlyList<byte[]> Keys(string prefix, int count) => Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes($"{prefix}{i}")).ToList();
        var sink = new CollectingSink();
        var result = await ExportService.RunAsync(new ExportOptions
        {
            Servers = [_a.ServerEndpoint, _b.ServerEndpoint],
            Path = _dir,
            KeysByServer = new Dictionary<string, IReadOnlyList<byte[]>>
            {
                [_a.ServerEndpoint.ToString()] = Keys("a:", 30),
                [_b.ServerEndpoint.ToString()] = Keys("b:", 20),
            },
        }, sink, CancellationToken.None);

        Assert.Empty(sink.Errors);
        Assert.True(result.Complete);
        Assert.Equal(50, result.Listed);
        Assert.Equal(50, result.Dumped);
        Assert.Equal(0, result.Missing);
    }
}
