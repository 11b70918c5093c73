using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Faults;

/// <summary>
/// Export-MemcacheData against every fault of the matrix, in its listing phase and in its fetch phase: it gives up
/// within -Timeout plus 5 s with an error naming the server, the dump stays incomplete (and resumable), and
/// -Resume then finishes it with every key exact, or, when the server lost its items, with those keys counted
/// missing and every dumped one exact.
/// </summary>
[Collection(FaultMatrixCollection.Name)]
public sealed class ExportFaultTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-fault-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.RestartedEmpty)]
    [InlineData(Fault.Trickle)]
    [InlineData(Fault.ResetMidReply)]
    public async Task A_fault_in_the_fetch_phase_interrupts_the_export_and_resume_finishes_it(Fault fault)
    {
        const int items = 3000;
        await using var rig = FaultRig.Start(fault);
        await rig.LoadAsync(items);
        var gets = rig.Server.Stat("cmd_get");
        var path = Path.Combine(_folder, "dump");
        var sink = new CollectingSink();
        // About 2 s of fetching at 1,500 gets/s over two connections, in key files of about 430 keys, so that some
        // are finished (and must be kept) when the fault comes.
        var run = ExportService.RunAsync(Options(rig, path) with { MaxOperationsPerSecond = 1500, Connections = 2, KeyFileSize = 32 * 1024 }, sink, CancellationToken.None);
        await FaultRig.WaitUntilAsync(() => rig.Server.Stat("cmd_get") - gets >= 1200, run, "1,200 values were fetched");
        rig.Inject();
        var failure = await rig.EndsInTimeAsync(run);

        CheckFirstRun(rig, failure, sink, path);
        if (failure is not null)
            Assert.True(ManifestStore.Read(path).KeyFiles.Any(k => k.Fetched), "key files fetched before the fault stay done");
        await ResumeAndVerifyAsync(rig, path, items, sink, failure is null ? await run : null);
    }

    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.RestartedEmpty)]
    [InlineData(Fault.Trickle)]
    [InlineData(Fault.ResetMidReply)]
    public async Task A_fault_in_the_listing_phase_interrupts_the_export_and_resume_finishes_it(Fault fault)
    {
        const int items = 8000;
        await using var rig = FaultRig.Start(fault, memoryMb: 128);
        await rig.LoadAsync(items);
        // A crawler that pauses often lists for a few seconds (about 2 s here), so the fault lands in the listing.
        Assert.StartsWith("OK", rig.Server.Send("lru_crawler sleep 20000\r\n"), StringComparison.Ordinal);
        var path = Path.Combine(_folder, "dump");
        var sink = new CollectingSink();
        var run = ExportService.RunAsync(Options(rig, path), sink, CancellationToken.None);
        await FaultRig.WaitUntilAsync(() => rig.Server.Stat("lru_crawler_running") == 1, run, "the listing started");
        await Task.Delay(300);
        Assert.Equal(1, rig.Server.Stat("lru_crawler_running"));
        rig.Inject();
        var failure = await rig.EndsInTimeAsync(run);

        CheckFirstRun(rig, failure, sink, path);
        Assert.False(ManifestStore.Read(path).ListingComplete);
        await ResumeAndVerifyAsync(rig, path, items, sink, null);
    }

    private static ExportOptions Options(FaultRig rig, string path) => new()
    {
        Servers = [rig.Endpoint],
        Path = path,
        KeyFileSize = 64 * 1024,
        Connection = FaultRig.Connection,
    };

    /// <summary>
    /// The interrupted export: an error naming the server, a partial result, an incomplete manifest. A server that
    /// restarted at once may instead be reconnected to and the export finish, saying that the server restarted.
    /// </summary>
    private void CheckFirstRun(FaultRig rig, Exception? failure, CollectingSink sink, string path)
    {
        output.WriteLine($"{rig.Kind}: ended {rig.SinceFault.TotalSeconds:0.00} s after the fault: {failure?.Message ?? "completed"}");
        if (failure is null)
        {
            Assert.Equal(Fault.RestartedEmpty, rig.Kind);
            Assert.Contains(sink.Warnings, w => w.Contains(rig.Name, StringComparison.Ordinal) && w.Contains("restarted", StringComparison.Ordinal));
            Assert.True(ManifestStore.Read(path).Complete);
            return;
        }
        var error = Assert.IsAssignableFrom<MemcacheException>(failure);
        rig.AssertNamesServer(error);
        Assert.Contains("-Resume", error.Message, StringComparison.Ordinal);
        var partial = Assert.Single(sink.ResultsOf<ExportResult>());
        Assert.False(partial.Complete);
        Assert.False(ManifestStore.Read(path).Complete);
    }

    private async Task ResumeAndVerifyAsync(FaultRig rig, string path, int items, CollectingSink first, ExportResult? completed)
    {
        rig.Heal();
        var resumeSink = new CollectingSink();
        ExportResult result;
        if (completed is not null)
        {
            result = completed;
        }
        else
        {
            var before = ManifestStore.Read(path);
            result = await ExportService.RunAsync(new ExportOptions { Servers = [rig.Endpoint], Path = path, KeyFileSize = 64 * 1024, Resume = true }, resumeSink, CancellationToken.None)
                .WaitAsync(FaultRig.Patience);
            // What the interrupted run finished is kept, never fetched again.
            if (before.ListingComplete)
                Assert.Contains(result.Notes, n => n.StartsWith($"Resumed: {before.KeyFiles.Count(k => k.Fetched)} of", StringComparison.Ordinal));
        }
        output.WriteLine($"resumed: listed {result.Listed}, dumped {result.Dumped}, missing {result.Missing}; {string.Join(" | ", result.Notes)}");
        Assert.True(result.Complete);
        Assert.Empty(resumeSink.Errors);

        // Load the dump into an empty server and compare every item with the data set.
        using var check = MemcachedProcess.Start(memoryMb: 128);
        var import = await ImportService.RunAsync(new ImportOptions { Paths = [path], Servers = [check.ServerEndpoint], Mode = StoreMode.Add }, new CollectingSink(), CancellationToken.None)
            .WaitAsync(FaultRig.Patience);
        Assert.Equal(result.Dumped, import.Stored);
        if (!rig.LosesData)
        {
            Assert.Equal(items, result.Dumped);
            Assert.Equal(0, result.Missing);
            await ReferenceCheck.AssertExactAsync(check, items);
            return;
        }
        // The server came back empty: keys it had not sent before are missing, never dumped; the restart is reported.
        Assert.Equal(result.Listed, result.Dumped + result.Missing);
        if (result.Listed > 0)
            Assert.True(result.Missing > 0);
        var warned = first.Warnings.Concat(resumeSink.Warnings).Any(w => w.Contains(rig.Name, StringComparison.Ordinal) && w.Contains("restarted", StringComparison.Ordinal))
            || result.Listed == 0;
        Assert.True(warned, "the restart of the server is reported");
        var (present, problems) = await ReferenceCheck.CheckAsync(check, items, allowMissing: true);
        Assert.Empty(problems);
        Assert.Equal(result.Dumped, present);
    }
}
