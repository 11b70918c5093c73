using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Faults;

/// <summary>A dump of reference items [0, 3000), made once for the import cells of the matrix.</summary>
public sealed class FaultDumpFixture : IAsyncLifetime
{
    public const int Items = 3000;

    public string Path { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Path = Directory.CreateTempSubdirectory("memcacheops-fault-dump-").FullName;
        using var source = MemcachedProcess.Start();
        await DataSetLoader.LoadAsync(source, 0, Items);
        var result = await ExportService.RunAsync(new ExportOptions { Servers = [source.ServerEndpoint], Path = Path, Force = true }, new CollectingSink(), CancellationToken.None);
        Assert.Equal(Items, result.Dumped);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Path, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Import-MemcacheData against every fault of its target: it gives up within -Timeout plus 5 s with an error that
/// names the target and says how to finish, its partial result is marked interrupted, and the same import run
/// again (mode Add) leaves every key exact on the target.
/// </summary>
[Collection(FaultMatrixCollection.Name)]
public sealed class ImportFaultTests(FaultDumpFixture dump, ITestOutputHelper output) : IClassFixture<FaultDumpFixture>
{
    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.RestartedEmpty)]
    [InlineData(Fault.Trickle)]
    [InlineData(Fault.ResetMidReply)]
    public async Task A_fault_of_the_target_interrupts_the_import_and_a_rerun_leaves_every_key_exact(Fault fault)
    {
        await using var rig = FaultRig.Start(fault);
        var sink = new CollectingSink();
        // About 2 s of storing at 1,500 sets/s.
        var run = ImportService.RunAsync(Options(rig) with { Connection = FaultRig.Connection, MaxOperationsPerSecond = 1500 }, sink, CancellationToken.None);
        await FaultRig.WaitUntilAsync(() => rig.Server.Stat("curr_items") >= 600, run, "600 items were stored");
        rig.Inject();
        var failure = await rig.EndsInTimeAsync(run);

        output.WriteLine($"{fault}: ended {rig.SinceFault.TotalSeconds:0.00} s after the fault: {failure?.Message}");
        var error = Assert.IsAssignableFrom<MemcacheException>(failure);
        rig.AssertNamesServer(error);
        Assert.Contains("import again", error.Message, StringComparison.Ordinal);
        var partial = Assert.Single(sink.ResultsOf<ImportResult>());
        Assert.Contains(partial.Notes, n => n.StartsWith("Interrupted:", StringComparison.Ordinal));
        Assert.InRange(partial.Stored, 0, FaultDumpFixture.Items - 1);

        rig.Heal();
        var again = new CollectingSink();
        var rerun = await ImportService.RunAsync(Options(rig), again, CancellationToken.None).WaitAsync(FaultRig.Patience);
        Assert.Empty(again.Errors);
        Assert.Equal(FaultDumpFixture.Items, rerun.Stored + rerun.AlreadyPresent);
        await ReferenceCheck.AssertExactAsync(rig.Server, FaultDumpFixture.Items);
    }

    private ImportOptions Options(FaultRig rig) => new() { Paths = [dump.Path], Servers = [rig.Endpoint], Mode = StoreMode.Add };
}
