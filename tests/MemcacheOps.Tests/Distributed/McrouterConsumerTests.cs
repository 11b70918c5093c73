using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Cloud;
using MemcacheOps.Tests.Routing;

namespace MemcacheOps.Tests.Distributed;

/// <summary>The S3/SQS consumer places every key of the chunks it imports as an mcrouter pool does.</summary>
[Collection(CloudEmulatorCollection.Name)]
public sealed class McrouterConsumerTests(CloudEmulators emulators) : IDisposable
{
    private const long Count = 3_000;
    private readonly WarmUpKit _kit = new(emulators);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        _timeout.Dispose();
        _kit.Dispose();
    }

    [Fact]
    public async Task A_consumer_puts_every_key_on_its_ch3_owner_with_the_pools_salt()
    {
        using var source = MemcachedProcess.Start(memoryMb: 64);
        var nodes = Enumerable.Range(0, 3).Select(_ => MemcachedProcess.Start(memoryMb: 64)).ToArray();
        try
        {
            await DataSetLoader.LoadAsync(source, 0, Count, cancellationToken: _timeout.Token);
            await _kit.CreateQueueAsync(_timeout.Token);
            var exported = await DistributedExport.RunAsync(_kit.Export(source, "pool", 1 << 20), _kit.Publish(), _kit.Clients, new CollectingSink(), _timeout.Token);
            Assert.True(exported.Announced > 1, $"only {exported.Announced} chunk(s)");

            var consumer = _kit.Consumer(nodes, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
            consumer = consumer with { Import = consumer.Import with { Ring = new RingOptions { Form = RingForm.Ch3, HashSalt = "pool-b" } } };
            var sink = new CollectingSink();
            var result = await QueueConsumer.RunAsync(consumer, _kit.Clients, sink, _timeout.Token);

            Assert.Empty(sink.Errors);
            Assert.True(result.Success);
            Assert.Equal(Count, result.Stored);
            var differences = await WarmUpKit.DifferencesAsync(nodes, Count, key => ReferenceMcrouter.Ch3(key, nodes.Length, "pool-b"));
            Assert.True(differences.Count == 0, string.Join("\n", differences));
        }
        finally
        {
            foreach (var node in nodes)
                node.Dispose();
        }
    }
}
