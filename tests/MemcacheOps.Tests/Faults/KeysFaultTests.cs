using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Listing;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Faults;

/// <summary>
/// Get-MemcacheKeys against every fault of the matrix while the listing streams: the server's error comes within
/// -Timeout plus 5 s, naming it, and listing again afterwards shows every key the server holds.
/// </summary>
[Collection(FaultMatrixCollection.Name)]
public sealed class KeysFaultTests(ITestOutputHelper output)
{
    private const int Items = 8000;

    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.RestartedEmpty)]
    [InlineData(Fault.Trickle)]
    [InlineData(Fault.ResetMidReply)]
    public async Task A_fault_while_keys_stream_is_an_error_for_that_server_and_listing_again_shows_every_key(Fault fault)
    {
        await using var rig = FaultRig.Start(fault, memoryMb: 128);
        await rig.LoadAsync(Items);
        // A crawler that pauses often lists for a few seconds, so the fault lands in the middle.
        Assert.StartsWith("OK", rig.Server.Send("lru_crawler sleep 20000\r\n"), StringComparison.Ordinal);
        var sink = new CollectingSink();
        var run = KeyListingService.RunAsync(Request(rig, FaultRig.Connection), sink, CancellationToken.None);
        await FaultRig.WaitUntilAsync(() => rig.Server.Stat("lru_crawler_running") == 1, run, "the listing started");
        await Task.Delay(300);
        rig.Inject();
        var failure = await rig.EndsInTimeAsync(run);

        output.WriteLine($"{fault}: ended {rig.SinceFault.TotalSeconds:0.00} s after the fault with {sink.ResultsOf<MemcacheKeyInfo>().Count()} keys; {string.Join(" | ", sink.Errors.Select(e => e.Message))}");
        Assert.Null(failure); // one server's failure is reported for that server; the command itself ends normally
        var error = Assert.Single(sink.Errors);
        rig.AssertNamesServer(error);
        Assert.InRange(sink.ResultsOf<MemcacheKeyInfo>().Count(), 0, Items - 1);

        rig.Heal();
        var again = new CollectingSink();
        await KeyListingService.RunAsync(Request(rig, FaultRig.Connection with { ReadTimeout = TimeSpan.FromSeconds(10) }), again, CancellationToken.None).WaitAsync(FaultRig.Patience);
        Assert.Empty(again.Errors);
        var keys = again.ResultsOf<MemcacheKeyInfo>().Select(k => k.Key).ToHashSet(StringComparer.Ordinal);
        if (rig.LosesData)
        {
            Assert.Empty(keys);
            return;
        }
        Assert.Equal(Items, keys.Count);
        Assert.All(Enumerable.Range(0, Items), n => Assert.Contains($"key:{n}", keys));
    }

    private static KeyListingRequest Request(FaultRig rig, Engine.Connections.ConnectionOptions connection) => new()
    {
        Servers = [rig.Endpoint],
        Listing = new ListingOptions { Connection = connection },
    };
}
