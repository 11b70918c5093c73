using System.Threading.Channels;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Fetching;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.KeySources;

/// <summary>
/// Keys the user gave, read from a key file: each server is asked about them in pipelined batches of
/// <c>mg &lt;key&gt; s f t c q u O&lt;i&gt;</c> (no value, no LRU bump), and the keys it holds become
/// metadump lines with their real expiry, CAS, flags and item size; the others are counted missing.
/// </summary>
internal sealed class GivenKeySource(string path, long count, string description) : KeySource
{
    private const int BatchSize = 100;
    private const int Window = 4;

    /// <summary>The key file read (for tests).</summary>
    internal string FilePath => path;

    public override bool IsListing => false;

    public override long? Count => count;

    public override string Description => description;

    /// <summary>Reads a key file through, checking every line; returns how many keys it holds.</summary>
    internal static long CountKeys(string path)
    {
        using var reader = new KeyFileReader(path);
        Span<byte> key = stackalloc byte[KeyCodec.MaxKeyLength];
        long keys = 0;
        while (reader.ReadNext(key) >= 0)
            keys++;
        return keys;
    }

    public override async Task<ListingSummary> ListAsync(ServerEndpoint server, ListingOptions options, IListingChunkSink sink,
        IOperationSink diagnostics, CancellationToken cancellationToken)
    {
        try
        {
            var summary = await ProbeAsync(server, options, sink, cancellationToken).ConfigureAwait(false);
            sink.Complete(null);
            return summary;
        }
        catch (Exception ex)
        {
            sink.Complete(ex);
            throw;
        }
    }

    private async Task<ListingSummary> ProbeAsync(ServerEndpoint server, ListingOptions options, IListingChunkSink sink, CancellationToken cancellationToken)
    {
        var (connection, info) = await ServerProbe.ConnectAsync(server, options.Connection, cancellationToken).ConfigureAwait(false);
        using (connection)
        {
            if (!info.SupportsMetaCommands)
                throw new MemcacheException(MemcacheErrorKind.Unsupported, "MemcacheMetaUnsupported",
                    $"Server {server} runs memcached {info.VersionText}; looking up given keys needs meta commands (1.6 or later).", server.ToString());
            var general = ServerStats.FromPairs(server.ToString(),
                await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false), DateTimeOffset.UtcNow);
            var serverTime = general.Raw.ContainsKey("time") ? general.ServerTime : DateTimeOffset.UtcNow;
            using var pool = new KeyBatchPool(Window + 2, BatchSize);
            using var handler = new KeyProbeHandler(sink, pool, general.Raw.ContainsKey("time") ? general.ClockSkew : TimeSpan.Zero);
            var queue = Channel.CreateBounded<KeyBatch>(new BoundedChannelOptions(Window + 1) { SingleReader = true, SingleWriter = true });
            // A dead pipeline (a frozen, dead or trickling server) keeps the batches it was lent and reads no more
            // of the queue: the feeder waiting for either hears of the failure instead of waiting forever.
            var pipeline = new MetaPipeline<KeyBatch>(connection, handler, Window).RunAsync(queue.Reader, cancellationToken, failure =>
            {
                pool.Fail(failure);
                queue.Writer.TryComplete(failure);
            });
            try
            {
                await FeedAsync(pool, queue.Writer, cancellationToken).ConfigureAwait(false);
                queue.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                queue.Writer.TryComplete(ex);
                try
                {
                    await pipeline.ConfigureAwait(false);
                }
                catch (Exception) when (pool.Failure is not null)
                {
                    // The feeder stopped because the pipeline failed: the pipeline's failure is the cause.
                    throw;
                }
                catch
                {
                    // The key file's failure is the one to report.
                }
                throw;
            }
            await pipeline.ConfigureAwait(false);
            // Which run of the server holds the keys, when its stats say (an export's restart watch compares it).
            ServerIdentity? identity = general.Raw.ContainsKey("pid") ? ServerIdentity.Of(general) : null;
            return new ListingSummary(ListingMethod.Auto, handler.Found, handler.Bytes, 0, info.VersionText, serverTime, identity)
            {
                Missing = handler.Missing,
            };
        }
    }

    /// <summary>Reads the key file into batches; waits for a free batch, which bounds what is in memory.</summary>
    private async Task FeedAsync(KeyBatchPool pool, ChannelWriter<KeyBatch> output, CancellationToken cancellationToken)
    {
        using var reader = new KeyFileReader(path);
        var key = new byte[KeyCodec.MaxKeyLength];
        KeyBatch? batch = null;
        while (true)
        {
            var length = reader.ReadNext(key);
            if (length < 0)
                break;
            batch ??= await pool.RentAsync(cancellationToken).ConfigureAwait(false);
            batch.Add(key.AsSpan(0, length));
            if (batch.IsFull)
            {
                await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                batch = null;
            }
        }
        if (batch is not null)
        {
            if (batch.Count > 0)
                await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            else
                pool.Return(batch);
        }
    }
}
