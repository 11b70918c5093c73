using System.Buffers;
using System.Threading.Channels;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Fetching;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Export;

/// <summary>
/// Fetches the values of one key file over one connection and writes them to that key file's data
/// files. Filters (patterns, ketama, minimum lifetime) are applied before fetching where the listing
/// allows it, and to the remaining TTL the server reports otherwise.
/// </summary>
internal sealed class KeyFileFetcher(ExportOptions options, DumpLayoutWriter layout, ProgressTracker progress, IOperationSink diagnostics)
{
    /// <summary>
    /// Unaddressable keys named in a warning of their own; the rest are only counted, so a server holding
    /// many of them does not flood the output (<see cref="ReportUnaddressable"/> sums them up at the end).
    /// </summary>
    internal const int UnaddressableWarnings = 3;

    // Shared by every worker of the export.
    private long _unaddressable;

    /// <summary>Keys this run skipped because memcached's meta protocol cannot address them.</summary>
    public long Unaddressable => Interlocked.Read(ref _unaddressable);

    /// <summary>
    /// Once the export ends: one warning for the unaddressable keys beyond those named, and a note for the
    /// result (their total is the result's <see cref="ExportResult.Skipped"/>). Nothing when there were none.
    /// </summary>
    public void ReportUnaddressable(List<string> notes)
    {
        var total = Unaddressable;
        if (total == 0)
            return;
        var unnamed = total - UnaddressableWarnings;
        if (unnamed > 0)
            diagnostics.Warning(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{unnamed:N0} more key(s) could not be addressed by memcached's meta protocol and were skipped."));
        notes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{total:N0} key(s) that memcached's meta protocol cannot address were skipped (counted in Skipped)."));
    }

    /// <summary>
    /// Fetches every value of the key file into its data files and returns them still open: the caller
    /// completes them (flush, fsync, rename) with <see cref="DataFileSink.Complete"/>, which may overlap
    /// with fetching the next key file. On failure the files are already discarded.
    /// </summary>
    public async Task<(DataFileSink Sink, KeyFileCounts Counts)> FetchAsync(MemcachedConnection connection, ServerEndpoint server,
        KeyFileInfo keyFile, IThrottle throttle, CancellationToken cancellationToken)
    {
        var counts = new KeyFileCounts();
        var sink = new DataFileSink(options, layout, server, keyFile.Index, counts, progress);
        try
        {
            using var pool = new KeyBatchPool(options.Window + 2, options.BatchSize);
            var batches = Channel.CreateBounded<KeyBatch>(new BoundedChannelOptions(options.Window + 1) { SingleReader = true, SingleWriter = true });
            var pipeline = new MetaPipeline<KeyBatch>(connection, new MetaGetHandler(new ReturningSink(sink, pool)), options.Window, throttle);
            // A dead pipeline keeps the batches it was lent and reads no more of the queue: the producer
            // waiting for either must hear of the failure, not wait forever.
            var run = pipeline.RunAsync(batches.Reader, cancellationToken, failure =>
            {
                pool.Fail(failure);
                batches.Writer.TryComplete(failure);
            });
            try
            {
                await ProduceAsync(keyFile, pool, batches.Writer, counts, cancellationToken).ConfigureAwait(false);
                batches.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                // The pipeline stops on the producer's failure too (its queue fails), then the cause is reported:
                // the pipeline's own failure when it came first, else the producer's.
                batches.Writer.TryComplete(ex);
                try
                {
                    await run.ConfigureAwait(false);
                }
                catch (Exception pipelineFailure) when (pipelineFailure is not OperationCanceledException)
                {
                    throw;
                }
                catch (OperationCanceledException)
                {
                    // Cancelled with the producer: the producer's failure is the one to report.
                }
                throw;
            }
            await run.ConfigureAwait(false);
            return (sink, counts);
        }
        catch
        {
            sink.Abort();
            throw;
        }
    }

    /// <summary>Reads the key file and turns its lines into batches of keys to fetch.</summary>
    private async Task ProduceAsync(KeyFileInfo keyFile, KeyBatchPool pool, ChannelWriter<KeyBatch> output, KeyFileCounts counts, CancellationToken cancellationToken)
    {
        var length = (int)new FileInfo(keyFile.FullPath).Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            using (var handle = File.OpenHandle(keyFile.FullPath))
            {
                var read = 0;
                while (read < length)
                {
                    var n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(read, length - read), read, cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                        throw new MemcacheException(MemcacheErrorKind.InvalidData, "DumpKeyFileTruncated", $"Key file '{keyFile.FullPath}' ended early. Run the export again without -Resume.", keyFile.FullPath);
                    read += n;
                }
            }
            var position = 0;
            KeyBatch? batch = null;
            while (position < length)
            {
                batch ??= await pool.RentAsync(cancellationToken).ConfigureAwait(false);
                position = FillBatch(buffer.AsSpan(0, length), position, batch, counts);
                if (batch.IsFull || (position >= length && batch.Count > 0))
                {
                    await output.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    batch = null;
                }
            }
            if (batch is not null)
                pool.Return(batch);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Adds keys from the lines at <paramref name="position"/> until the batch is full; returns the new position.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private int FillBatch(ReadOnlySpan<byte> lines, int position, KeyBatch batch, KeyFileCounts counts)
    {
        Span<byte> key = stackalloc byte[KeyText.MaxDisplayLength];
        var filter = options.Filter;
        var owners = options.OwnerFilter;
        while (!batch.IsFull && MetadumpLines.TryReadNext(lines, ref position, key, out var entry, out var keyBytes))
        {
            if ((!filter.IsEmpty && !filter.Matches(keyBytes, entry.Expiry, entry.SlabClass)) || (owners is not null && !owners.Accepts(keyBytes)))
            {
                counts.Filtered++;
                continue;
            }
            if (!KeyCodec.IsAddressable(keyBytes))
            {
                counts.Skipped++;
                var seen = Interlocked.Increment(ref _unaddressable);
                if (seen <= UnaddressableWarnings)
                    diagnostics.Warning($"Skipped a key that memcached's meta protocol cannot address ({KeyCodec.WhyNotAddressable(keyBytes)}): {KeyText.ToDisplayString(keyBytes, out _)}"
                        + (seen == UnaddressableWarnings ? ". Further such keys are counted (Skipped), not named." : string.Empty));
                continue;
            }
            // The listing's item size bounds the value the fetch brings back: the bytes/s limit is charged
            // with it before the request leaves, and settled with the value's real length.
            batch.Add(keyBytes, entry.Expiry, entry.Size);
        }
        return position;
    }

    /// <summary>Gives each batch back to the pool once its replies are written.</summary>
    private sealed class ReturningSink(DataFileSink inner, KeyBatchPool pool) : IFetchedItemSink
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void OnItem(KeyBatch batch, int index, uint flags, long ttl, ReadOnlySpan<byte> value) => inner.OnItem(batch, index, flags, ttl, value);

        public void OnBatchComplete(KeyBatch batch)
        {
            inner.OnBatchComplete(batch);
            pool.Return(batch);
        }
    }
}

/// <summary>Writes fetched items of one key file into rotating data files.</summary>
internal sealed class DataFileSink(ExportOptions options, DumpLayoutWriter layout, ServerEndpoint server, int keyFileIndex, KeyFileCounts counts, ProgressTracker progress)
    : IFetchedItemSink
{
    private readonly List<DataFileInfo> _completed = [];
    private DataFileWriter? _writer;
    private int _part;
    private long _batchBytes;
    private long _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public void OnItem(KeyBatch batch, int index, uint flags, long ttl, ReadOnlySpan<byte> value)
    {
        if (options.OnlyExpireAfterSeconds > 0 && ttl >= 0 && ttl <= options.OnlyExpireAfterSeconds)
        {
            counts.Filtered++;
            return;
        }
        if (_writer is not null && _writer.Bytes >= options.DataFileSize)
            Rotate();
        _writer ??= layout.CreateDataFile(server, keyFileIndex, ++_part);
        var expiry = ExpiryMath.AbsoluteFromRemaining(ttl, _now);
        _writer.Append(batch.Key(index), expiry > int.MaxValue ? int.MaxValue : (int)expiry, flags, value);
        counts.Dumped++;
        counts.Bytes += value.Length;
        _batchBytes += value.Length;
    }

    public void OnBatchComplete(KeyBatch batch)
    {
        var missing = batch.Count - batch.Hits;
        counts.Missing += missing;
        if (batch.Errors > 0)
            throw new MemcacheException(MemcacheErrorKind.ServerError, "MemcacheFetchFailed",
                $"Server {server} answered a fetch with an error: {batch.FirstError}.", server.ToString());
        progress.Add(batch.Count, _batchBytes);
        _batchBytes = 0;
        _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    private void Rotate()
    {
        if (_writer is null)
            return;
        _completed.Add(_writer.Complete());
        _writer.Dispose();
        _writer = null;
    }

    public List<DataFileInfo> Complete()
    {
        Rotate();
        return _completed;
    }

    /// <summary>Drops the unfinished file and the finished ones of this key file: it will be fetched again whole.</summary>
    public void Abort()
    {
        _writer?.Abort();
        _writer = null;
        foreach (var file in _completed)
        {
            try
            {
                File.Delete(file.FullPath);
            }
            catch (IOException)
            {
            }
        }
        _completed.Clear();
    }
}
