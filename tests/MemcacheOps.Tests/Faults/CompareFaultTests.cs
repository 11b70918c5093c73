using MemcacheOps.Engine;
using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Testing;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Faults;

/// <summary>
/// Compare-MemcacheData against every fault of one side: it gives up within -Timeout plus 5 s with an error naming
/// that server (a partial comparison is never reported as equal), and comparing again afterwards is right: equal,
/// or, when the server lost its items, every key of the other side reported as extra.
/// </summary>
[Collection(FaultMatrixCollection.Name)]
public sealed class CompareFaultTests(ITestOutputHelper output)
{
    private const int Items = 3000;

    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.RestartedEmpty)]
    [InlineData(Fault.Trickle)]
    [InlineData(Fault.ResetMidReply)]
    public async Task A_fault_of_one_side_fails_the_comparison_and_comparing_again_is_right(Fault fault)
    {
        await using var reference = FaultRig.Start(fault);
        using var difference = MemcachedProcess.Start();
        await reference.LoadAsync(Items);
        Assert.Equal(Items, (await DataSetLoader.LoadAsync(difference, 0, Items)).Items);
        var gets = reference.Server.Stat("cmd_get");
        var sink = new CollectingSink();
        // Reading every item of both sides at 1,500 per second and server takes about 2 s.
        var run = CompareService.RunAsync(Options(reference, difference) with { Connection = FaultRig.Connection, MaxOperationsPerSecond = 1500 }, sink, CancellationToken.None);
        await FaultRig.WaitUntilAsync(() => reference.Server.Stat("cmd_get") - gets >= 600, run, "600 items were read");
        reference.Inject();
        var failure = await reference.EndsInTimeAsync(run);

        output.WriteLine($"{fault}: ended {reference.SinceFault.TotalSeconds:0.00} s after the fault: {failure?.Message}");
        var error = Assert.IsAssignableFrom<MemcacheException>(failure);
        reference.AssertNamesServer(error);
        Assert.Empty(sink.ResultsOf<CompareSummary>());

        reference.Heal();
        var summary = await CompareService.RunAsync(Options(reference, difference), new CollectingSink(), CancellationToken.None).WaitAsync(FaultRig.Patience);
        if (reference.LosesData)
        {
            Assert.Equal(Items, summary.Extra);
            return;
        }
        Assert.True(summary.IsEqual, $"missing {summary.Missing}, extra {summary.Extra}, value {summary.ValueMismatch}, flags {summary.FlagsMismatch}, TTL {summary.TtlMismatch}");
        Assert.Equal(Items, summary.Compared);
    }

    private static ComparisonOptions Options(FaultRig reference, MemcachedProcess difference) => new()
    {
        Reference = CompareSide.FromServers([reference.Endpoint]),
        Difference = CompareSide.FromServers([difference.ServerEndpoint]),
        TtlTolerance = 5,
        Summary = true,
    };
}
