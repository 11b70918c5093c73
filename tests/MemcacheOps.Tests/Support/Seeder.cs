using System.Threading.Channels;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Tests.Support;

/// <summary>An item to put on a test server.</summary>
public sealed record SeedItem(byte[] Key, byte[] Value, uint Flags = 0, long Ttl = 0);

/// <summary>Stores items through the engine's pipelined <c>ms</c> path and fails on any store that did not succeed.</summary>
public static class Seeder
{
    public static Task<int> StoreAsync(string endpoint, IEnumerable<SeedItem> items, StoreMode mode = StoreMode.Set)
        => StoreAsync(endpoint, items, mode, options: null);

    /// <summary>As above, connecting with <paramref name="options"/> (TLS, a -Y credential).</summary>
    public static async Task<int> StoreAsync(string endpoint, IEnumerable<SeedItem> items, StoreMode mode, ConnectionOptions? options)
    {
        using var connection = await MemcachedConnection.OpenAsync(ServerEndpoint.Parse(endpoint), options, CancellationToken.None);
        var failures = new List<string>();
        var stored = 0;
        var handler = new MetaSetHandler(batch =>
        {
            stored += batch.Stored;
            if (batch.Stored != batch.Count)
                failures.Add(batch.FirstFailure ?? $"{batch.Count - batch.Stored} not stored");
        });
        var pipeline = new MetaPipeline<StoreBatch>(connection, handler, window: 4);
        var channel = Channel.CreateUnbounded<StoreBatch>();
        var run = pipeline.RunAsync(channel.Reader, CancellationToken.None);
        var batch = new StoreBatch(64 * 1024);
        foreach (var item in items)
        {
            batch.Add(item.Key, item.Flags, item.Ttl, item.Value, mode);
            if (batch.Count == 100)
            {
                await channel.Writer.WriteAsync(batch);
                batch = new StoreBatch(64 * 1024);
            }
        }
        if (batch.Count > 0)
            await channel.Writer.WriteAsync(batch);
        channel.Writer.Complete();
        await run;
        if (mode == StoreMode.Set)
            Assert.True(failures.Count == 0, string.Join("; ", failures));
        return stored;
    }

    public static IEnumerable<SeedItem> Numbered(string prefix, int count, int valueSize = 10)
    {
        for (var i = 0; i < count; i++)
        {
            var value = new byte[valueSize];
            Random.Shared.NextBytes(value);
            yield return new SeedItem(System.Text.Encoding.UTF8.GetBytes($"{prefix}{i}"), value, (uint)i);
        }
    }
}
