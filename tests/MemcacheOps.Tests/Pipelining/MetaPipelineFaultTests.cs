using System.Diagnostics;
using System.Threading.Channels;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Fetching;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Pipelining;

/// <summary>
/// A pipeline that dies keeps the batches it was lent; the stages feeding it must hear of its failure. This is
/// the export hang of issue 15: fetch producers waiting forever for a batch from the pool.
/// </summary>
public sealed class MetaPipelineFaultTests
{
    [Fact]
    public async Task A_producer_waiting_for_a_batch_a_dead_pipeline_holds_gets_the_failure()
    {
        // A server that answers nothing to mg: the pipeline's reader times out.
        await using var server = new ScriptedServer(line => line == "version" ? [ScriptedServer.Ascii("VERSION 1.6.18\r\n")] : []);
        var options = ConnectionOptions.Default with { ReadTimeout = TimeSpan.FromMilliseconds(500) };
        using var connection = await MemcachedConnection.OpenAsync(ServerEndpoint.Parse(server.Endpoint), options, CancellationToken.None);
        using var pool = new KeyBatchPool(batches: 2, batchSize: 10);
        var queue = Channel.CreateBounded<KeyBatch>(1);
        Exception? heard = null;
        var pipeline = new MetaPipeline<KeyBatch>(connection, new MetaGetHandler(new Discard(pool)), window: 1);
        var run = pipeline.RunAsync(queue.Reader, CancellationToken.None, failure =>
        {
            heard = failure;
            pool.Fail(failure);
            queue.Writer.TryComplete(failure);
        });

        var clock = Stopwatch.StartNew();
        var producer = Task.Run(async () =>
        {
            // Rents and queues batches until the pool is empty; then waits for one to come back.
            for (var i = 0; ; i++)
            {
                var batch = await pool.RentAsync(CancellationToken.None);
                batch.Add(System.Text.Encoding.ASCII.GetBytes("key:" + i));
                await queue.Writer.WriteAsync(batch);
            }
        });

        var pipelineFailure = await Assert.ThrowsAsync<MemcacheException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        var producerFailure = await Assert.ThrowsAnyAsync<Exception>(() => producer.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal("MemcacheReadTimeout", pipelineFailure.ErrorId);
        Assert.Same(pipelineFailure, heard);
        Assert.True(producerFailure == pipelineFailure || producerFailure.InnerException == pipelineFailure, producerFailure.ToString());
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.4, 5);
    }

    private sealed class Discard(KeyBatchPool pool) : IFetchedItemSink
    {
        public void OnItem(KeyBatch batch, int index, uint flags, long ttl, ReadOnlySpan<byte> value)
        {
        }

        public void OnBatchComplete(KeyBatch batch) => pool.Return(batch);
    }
}
