using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Import;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Cloud;
using MemcacheOps.Tests.Distributed;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Faults;

/// <summary>
/// The S3/SQS queue consumer (Import-MemcacheData -SqsQueue) against every fault of its target, in the middle of
/// a chunk: it stops within -Timeout plus 5 s with an error naming the target, gives the message it was working
/// on back to the queue, and a consumer run again afterwards imports every chunk, leaving every key exact.
/// </summary>
[Collection(CloudEmulatorCollection.Name)]
public sealed class ConsumerFaultTests(CloudEmulators emulators, ITestOutputHelper output) : IDisposable
{
    private const int Items = 3000;

    private readonly WarmUpKit _kit = new(emulators);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        _timeout.Dispose();
        _kit.Dispose();
    }

    [Theory]
    [InlineData(Fault.Frozen)]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.RestartedEmpty)]
    [InlineData(Fault.Trickle)]
    [InlineData(Fault.ResetMidReply)]
    public async Task A_fault_of_the_target_stops_the_consumer_and_a_new_consumer_imports_every_chunk(Fault fault)
    {
        using (var source = MemcachedProcess.Start())
        {
            await DataSetLoader.LoadAsync(source, 0, Items, cancellationToken: _timeout.Token);
            await _kit.CreateQueueAsync(_timeout.Token);
            // Chunks of 1 MiB: about 370 items each, so the fault lands in the first one.
            var exported = await DistributedExport.RunAsync(_kit.Export(source, "faults", dataFileSize: 1L << 20), _kit.Publish(), _kit.Clients, new CollectingSink(), _timeout.Token);
            Assert.True(exported.Files >= 4, $"only {exported.Files} chunks");
        }
        await using var rig = FaultRig.Start(fault);

        // One chunk at a time, 300 items a second: the first chunk takes more than a second, and the fault lands in it
        // (so no chunk was acknowledged yet, and a target that comes back empty can still be filled from the queue).
        var sink = new CollectingSink();
        var slow = Consumer(rig) with { Import = Consumer(rig).Import with { Connection = FaultRig.Connection, MaxOperationsPerSecond = 300, FileParallelism = 1 } };
        var run = QueueConsumer.RunAsync(slow, _kit.Clients, sink, _timeout.Token);
        await FaultRig.WaitUntilAsync(() => rig.Server.Stat("curr_items") >= 100, run, "the first chunk was being imported");
        rig.Inject();
        var failure = await rig.EndsInTimeAsync(run);

        output.WriteLine($"{fault}: ended {rig.SinceFault.TotalSeconds:0.00} s after the fault: {failure?.Message}");
        var error = Assert.IsAssignableFrom<MemcacheException>(failure);
        rig.AssertNamesServer(error);
        Assert.Contains("made visible again", error.Message, StringComparison.Ordinal);
        var stopped = Assert.Single(sink.ResultsOf<QueueConsumerResult>());
        Assert.Equal("Failed", stopped.StopReason);
        Assert.Equal(0, stopped.Imported);

        rig.Heal();
        var again = new CollectingSink();
        var result = await QueueConsumer.RunAsync(Consumer(rig), _kit.Clients, again, _timeout.Token).WaitAsync(FaultRig.Patience);
        Assert.Empty(again.Errors);
        Assert.Equal("Idle", result.StopReason);
        await ReferenceCheck.AssertExactAsync(rig.Server, Items);
    }

    private QueueConsumerOptions Consumer(FaultRig rig) => new()
    {
        Import = new ImportOptions { Paths = [], Servers = [rig.Endpoint] },
        QueueName = _kit.QueueName,
        Buckets = [WarmUpKit.Bucket],
        IdleTimeout = TimeSpan.FromSeconds(2),
        VisibilityTimeout = TimeSpan.FromSeconds(30),
        Cloud = _kit.S3,
        QueueCloud = _kit.Sqs,
        WorkFolder = Path.Combine(_kit.Folder, "work-" + Guid.NewGuid().ToString("N")),
    };
}
