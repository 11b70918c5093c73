using System.Diagnostics;
using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Move;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Faults;

/// <summary>
/// Stopping an operation (Ctrl+C, [powershell]::Stop(), Select-Object -First) while a server is frozen: every
/// wait takes the cancellation token, so the operation returns within a second or two, long before the 10 s
/// read timeout would have ended it.
/// </summary>
[Collection(FaultMatrixCollection.Name)]
public sealed class CancellationTests(FaultDumpFixture dump, ITestOutputHelper output) : IClassFixture<FaultDumpFixture>, IDisposable
{
    private const int Items = 3000;
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(3);

    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-cancel-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Operations => ["keys", "export", "import", "move-source", "move-destination", "compare", "stats"];

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Stopping_an_operation_while_its_server_is_frozen_returns_at_once(string operation)
    {
        using var frozen = MemcachedProcess.Start(memoryMb: 128);
        using var other = MemcachedProcess.Start();
        if (operation != "import" && operation != "move-destination")
            await DataSetLoader.LoadAsync(frozen, 0, Items);
        if (operation is "move-destination" or "compare")
            await DataSetLoader.LoadAsync(other, 0, Items);
        if (operation == "keys")
            Assert.StartsWith("OK", frozen.Send("lru_crawler sleep 20000\r\n"), StringComparison.Ordinal);

        using var stop = new CancellationTokenSource();
        var sink = new CollectingSink();
        var run = Start(operation, frozen, other, sink, stop.Token);
        await FaultRig.WaitUntilAsync(() => Busy(operation, frozen, sink), run, operation + " was under way");
        frozen.Freeze();
        await Task.Delay(300);
        var clock = Stopwatch.StartNew();
        await stop.CancelAsync();
        var ended = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        var took = clock.Elapsed;
        frozen.Thaw();
        output.WriteLine($"{operation}: returned {took.TotalSeconds:0.00} s after the stop");
        Assert.Same(run, ended);
        Assert.True(took < Prompt, $"{operation} returned {took.TotalSeconds:0.0} s after it was stopped");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    private Task Start(string operation, MemcachedProcess frozen, MemcachedProcess other, CollectingSink sink, CancellationToken token) => operation switch
    {
        "keys" => KeyListingService.RunAsync(new KeyListingRequest { Servers = [frozen.ServerEndpoint] }, sink, token),
        "export" => ExportService.RunAsync(new ExportOptions { Servers = [frozen.ServerEndpoint], Path = Path.Combine(_folder, "dump"), MaxOperationsPerSecond = 1500 }, sink, token),
        "import" => ImportService.RunAsync(new ImportOptions { Paths = [dump.Path], Servers = [frozen.ServerEndpoint], Mode = StoreMode.Add, MaxOperationsPerSecond = 1500 }, sink, token),
        "move-source" => MoveService.RunAsync(new MoveOptions { Sources = [frozen.ServerEndpoint], Destinations = [other.ServerEndpoint], MaxOperationsPerSecond = 1500 }, sink, token),
        "move-destination" => MoveService.RunAsync(new MoveOptions { Sources = [other.ServerEndpoint], Destinations = [frozen.ServerEndpoint], MaxOperationsPerSecond = 1500 }, sink, token),
        "compare" => CompareService.RunAsync(new ComparisonOptions
        {
            Reference = CompareSide.FromServers([frozen.ServerEndpoint]),
            Difference = CompareSide.FromServers([other.ServerEndpoint]),
            MaxOperationsPerSecond = 1500,
        }, sink, token),
        "stats" => StatsService.RunAsync(new StatsOptions { Servers = [frozen.ServerEndpoint], Interval = TimeSpan.FromMilliseconds(100) }, sink, token),
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    /// <summary>The frozen server is in the middle of the operation's work.</summary>
    private static bool Busy(string operation, MemcachedProcess frozen, CollectingSink sink) => operation switch
    {
        "keys" => frozen.Stat("lru_crawler_running") == 1,
        "import" or "move-destination" => frozen.Stat("curr_items") >= 300,
        "stats" => sink.ResultsOf<StatsSample>().Any(),
        _ => frozen.Stat("cmd_get") >= 300,
    };
}
