using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Move;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Move;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Throttling;

/// <summary>
/// -MaxBytesPerSecond bounds the value bytes each server sends (export, a move's source) or receives (import, a
/// move's destination), over all the connections an operation opens to it: 1 MB/s holds within 10 % over a
/// run of about 10 s, measured by the servers themselves (their bytes_written and bytes_read counters, which
/// also count the protocol's few bytes per item).
/// </summary>
[Collection(RealClockCollection.Name)]
public sealed class ByteLimitTests(ITestOutputHelper output) : IDisposable
{
    private const double Limit = 1_000_000;

    /// <summary>Reference items whose values make about 10.5 s at the limit.</summary>
    private static readonly (int Items, long Bytes) Set = Measure(10.5 * Limit);

    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-bytes-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_export_holds_the_bytes_its_source_sends_to_the_limit()
    {
        using var source = MemcachedProcess.Start();
        await DataSetLoader.LoadAsync(source, 0, Set.Items);

        // Four connections (the default) share the source's limit.
        var export = ExportService.RunAsync(new ExportOptions { Servers = [source.ServerEndpoint], Path = Path.Combine(_folder, "dump"), MaxBytesPerSecond = Limit },
            new CollectingSink(), CancellationToken.None);
        var (rate, window) = await StatRate.MeasureAsync(source, "bytes_written", export);
        var result = await export;

        Report("export, source sent", rate, window, result.Duration);
        Assert.Equal(Set.Bytes, result.Bytes);
        AssertHolds(rate, window, result.Duration);
    }

    [Fact]
    public async Task An_import_holds_the_bytes_its_target_receives_to_the_limit()
    {
        var dump = Path.Combine(_folder, "dump");
        using (var source = MemcachedProcess.Start())
        {
            await DataSetLoader.LoadAsync(source, 0, Set.Items);
            await ExportService.RunAsync(new ExportOptions { Servers = [source.ServerEndpoint], Path = dump }, new CollectingSink(), CancellationToken.None);
        }
        using var target = MemcachedProcess.Start();

        var import = ImportService.RunAsync(new ImportOptions { Paths = [dump], Servers = [target.ServerEndpoint], Mode = StoreMode.Add, MaxBytesPerSecond = Limit },
            new CollectingSink(), CancellationToken.None);
        var (rate, window) = await StatRate.MeasureAsync(target, "bytes_read", import);
        var result = await import;

        Report("import, target received", rate, window, result.Duration);
        Assert.Equal(Set.Items, result.Stored);
        Assert.Equal(Set.Bytes, result.Bytes);
        AssertHolds(rate, window, result.Duration);
    }

    [Fact]
    public async Task A_move_holds_both_its_source_and_its_destination_to_the_limit()
    {
        using var source = MemcachedProcess.Start();
        using var destination = MemcachedProcess.Start();
        await DataSetLoader.LoadAsync(source, 0, Set.Items);

        var move = MoveService.RunAsync(new MoveOptions { Sources = [source.ServerEndpoint], Destinations = [destination.ServerEndpoint], MaxBytesPerSecond = Limit },
            new CollectingSink(), CancellationToken.None);
        var sent = StatRate.MeasureAsync(source, "bytes_written", move);
        var received = StatRate.MeasureAsync(destination, "bytes_read", move);
        var result = Assert.Single(await move);
        var (sourceRate, sourceWindow) = await sent;
        var (destinationRate, destinationWindow) = await received;

        Report("move, source sent", sourceRate, sourceWindow, result.Duration);
        Report("move, destination received", destinationRate, destinationWindow, result.Duration);
        Assert.Equal(MoveStatus.Successful, result.Status);
        Assert.Equal(Set.Bytes, result.Bytes);
        AssertHolds(sourceRate, sourceWindow, result.Duration);
        AssertHolds(destinationRate, destinationWindow, result.Duration);
    }

    private void Report(string what, double rate, TimeSpan window, TimeSpan duration)
        => output.WriteLine($"{what} {rate / 1e6:0.000} MB/s over {window.TotalSeconds:0.0} s (limit {Limit / 1e6:0.000} MB/s; {Set.Bytes / 1e6:0.00} MB of values in {duration.TotalSeconds:0.00} s)");

    private static void AssertHolds(double rate, TimeSpan window, TimeSpan duration)
    {
        Assert.True(window > TimeSpan.FromSeconds(8), $"the rate must be measured over most of the run, not {window.TotalSeconds:0.0} s");
        Assert.InRange(rate, Limit * 0.9, Limit * 1.1);
        // The values alone, at the limit, less the 100 ms a fresh bucket may spend at once.
        Assert.True(duration.TotalSeconds >= (Set.Bytes - Limit * 0.1) / Limit * 0.97, $"{Set.Bytes} value bytes took only {duration.TotalSeconds:0.00} s");
    }

    private static (int Items, long Bytes) Measure(double bytes)
    {
        var items = 0;
        long total = 0;
        while (total < bytes)
            total += ReferenceDataSet.ValueSize(items++);
        return (items, total);
    }
}
