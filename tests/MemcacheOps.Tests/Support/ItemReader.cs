using System.Threading.Channels;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Fetching;
using MemcacheOps.Engine.Pipelining;

namespace MemcacheOps.Tests.Support;

/// <summary>What a server holds for a key, read with <c>mg v f t</c>.</summary>
public sealed record ItemSnapshot(byte[] Value, uint Flags, long Ttl);

/// <summary>Reads items back from a server for assertions.</summary>
public static class ItemReader
{
    public static async Task<Dictionary<string, ItemSnapshot>> ReadAsync(string endpoint, IEnumerable<byte[]> keys)
    {
        using var connection = await MemcachedConnection.OpenAsync(ServerEndpoint.Parse(endpoint), null, CancellationToken.None);
        var result = new Dictionary<string, ItemSnapshot>(StringComparer.Ordinal);
        var sink = new Collector(result);
        var pipeline = new MetaPipeline<KeyBatch>(connection, new MetaGetHandler(sink), window: 4);
        var channel = Channel.CreateUnbounded<KeyBatch>();
        var run = pipeline.RunAsync(channel.Reader, CancellationToken.None);
        var batch = new KeyBatch(100);
        foreach (var key in keys)
        {
            batch.Add(key);
            if (batch.IsFull)
            {
                await channel.Writer.WriteAsync(batch);
                batch = new KeyBatch(100);
            }
        }
        if (batch.Count > 0)
            await channel.Writer.WriteAsync(batch);
        channel.Writer.Complete();
        await run;
        return result;
    }

    /// <summary>Keys are compared as hex so binary keys are exact.</summary>
    public static string Id(ReadOnlySpan<byte> key) => Convert.ToHexString(key);

    private sealed class Collector(Dictionary<string, ItemSnapshot> result) : IFetchedItemSink
    {
        public void OnItem(KeyBatch batch, int index, uint flags, long ttl, ReadOnlySpan<byte> value)
            => result[Id(batch.Key(index))] = new ItemSnapshot(value.ToArray(), flags, ttl);

        public void OnBatchComplete(KeyBatch batch)
        {
        }
    }
}
