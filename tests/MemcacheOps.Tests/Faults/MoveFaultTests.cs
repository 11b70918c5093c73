using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Move;
using MemcacheOps.Testing;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Faults;

/// <summary>
/// Move-MemcacheNode against every fault, on its source side and on its destination side: the move returns within
/// -Timeout plus 5 s, the faulty server's result is Failed with an error naming it, and the move run again (mode
/// Add) completes: every key exact on the destination, or, when the source lost its items, every key the
/// destination got exact and nothing more to copy.
/// </summary>
[Collection(FaultMatrixCollection.Name)]
public sealed class MoveFaultTests(ITestOutputHelper output)
{
    private const int Items = 3000;

    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.RestartedEmpty)]
    [InlineData(Fault.Trickle)]
    [InlineData(Fault.ResetMidReply)]
    public async Task A_fault_of_the_source_fails_the_move_and_a_rerun_completes_it(Fault fault)
    {
        await using var source = FaultRig.Start(fault);
        using var destination = MemcachedProcess.Start();
        await source.LoadAsync(Items);
        var sink = new CollectingSink();
        var run = MoveService.RunAsync(Options(source.Endpoint, destination.ServerEndpoint, throttled: true), sink, CancellationToken.None);
        await FaultRig.WaitUntilAsync(() => destination.Stat("curr_items") >= 600, run, "600 items were copied");
        source.Inject();
        var failure = await source.EndsInTimeAsync(run);

        output.WriteLine($"{fault}: ended {source.SinceFault.TotalSeconds:0.00} s after the fault: {failure?.Message}; errors: {string.Join(" | ", sink.Errors.Select(e => e.Message))}");
        Assert.Null(failure);
        var result = Assert.Single(await run);
        Assert.Equal(MoveStatus.Failed, result.Status);
        var error = Assert.Single(sink.Errors, e => e.ErrorId == "MoveSourceFailed");
        source.AssertNamesServer(error);
        Assert.Contains("run the move again", error.Message, StringComparison.Ordinal);

        source.Heal();
        var rerun = Assert.Single(await MoveService.RunAsync(Options(source.Endpoint, destination.ServerEndpoint, throttled: false), new CollectingSink(), CancellationToken.None)
            .WaitAsync(FaultRig.Patience));
        Assert.Equal(MoveStatus.Successful, rerun.Status);
        if (source.LosesData)
        {
            // Nothing left to copy; what was copied before the source lost it is exact.
            Assert.Equal(0, rerun.Copied);
            var (present, problems) = await ReferenceCheck.CheckAsync(destination, Items, allowMissing: true);
            Assert.Empty(problems);
            Assert.InRange(present, 600, Items);
            return;
        }
        await ReferenceCheck.AssertExactAsync(destination, Items);
    }

    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.RestartedEmpty)]
    [InlineData(Fault.Trickle)]
    [InlineData(Fault.ResetMidReply)]
    public async Task A_fault_of_the_destination_fails_it_and_a_rerun_leaves_every_key_exact(Fault fault)
    {
        using var source = MemcachedProcess.Start();
        await using var destination = FaultRig.Start(fault);
        var loaded = await DataSetLoader.LoadAsync(source, 0, Items);
        Assert.Equal(Items, loaded.Items);
        var sink = new CollectingSink();
        var run = MoveService.RunAsync(Options(source.ServerEndpoint, destination.Endpoint, throttled: true), sink, CancellationToken.None);
        await FaultRig.WaitUntilAsync(() => destination.Server.Stat("curr_items") >= 600, run, "600 items were copied");
        destination.Inject();
        var failure = await destination.EndsInTimeAsync(run);

        output.WriteLine($"{fault}: ended {destination.SinceFault.TotalSeconds:0.00} s after the fault: {failure?.Message}; errors: {string.Join(" | ", sink.Errors.Select(e => e.Message))}");
        Assert.Null(failure);
        var result = Assert.Single(await run);
        Assert.Equal(MoveStatus.Failed, result.Status);
        var error = Assert.Single(sink.Errors, e => e.ErrorId == "MoveDestinationFailed");
        destination.AssertNamesServer(error);
        Assert.InRange(result.Copied, 0, Items - 1);

        destination.Heal();
        var rerun = Assert.Single(await MoveService.RunAsync(Options(source.ServerEndpoint, destination.Endpoint, throttled: false), new CollectingSink(), CancellationToken.None)
            .WaitAsync(FaultRig.Patience));
        Assert.Equal(MoveStatus.Successful, rerun.Status);
        await ReferenceCheck.AssertExactAsync(destination.Server, Items);
    }

    /// <summary>Throttled to about 2 s at 1,500 operations/s per server, so the fault lands in the middle.</summary>
    private static MoveOptions Options(Engine.Endpoints.ServerEndpoint source, Engine.Endpoints.ServerEndpoint destination, bool throttled) => new()
    {
        Sources = [source],
        Destinations = [destination],
        MaxOperationsPerSecond = throttled ? 1500 : null,
        Connection = throttled ? FaultRig.Connection : Engine.Connections.ConnectionOptions.Default,
    };
}
