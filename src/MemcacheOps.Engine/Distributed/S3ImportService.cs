using System.Diagnostics;
using System.Threading.Channels;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Import;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Loads dumps straight from S3: checks credentials, buckets and targets first, works out which objects are data
/// files and how to verify each (<see cref="S3ChunkCatalog"/>), then downloads, verifies and imports them a few
/// at a time (<see cref="ImportOptions.FileParallelism"/>), deleting each download once loaded so the work
/// folder holds at most that many chunks. A damaged chunk is reported and skipped; the others go on.
/// </summary>
public static class S3ImportService
{
    public static async Task<ImportResult> RunAsync(S3ImportOptions options, ICloudClientFactory clients, IOperationSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clients);
        if (options.Prefixes.Count == 0 && options.Objects.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoPath", "No S3 location was given. Name s3://bucket/prefix, or pipe objects with BucketName and Key.");
        ImportService.ValidateSettings(options.Import);
        var clock = Stopwatch.StartNew();
        var path = string.Join(",", options.Prefixes.Select(p => p.ToString()).Concat(options.Objects.Select(o => o.ToString())).Take(20))
                   + (options.Prefixes.Count + options.Objects.Count > 20 ? ",..." : string.Empty);

        using var store = clients.CreateChunkStore(options.Cloud);
        foreach (var bucket in options.Prefixes.Select(p => (p.Bucket, p.Prefix)).Concat(options.Objects.Select(o => (o.Bucket, ChunkKeys.FolderOf(o.Key)))).DistinctBy(b => b.Bucket))
            await CloudPreflight.CheckBucketAsync(store, bucket.Bucket, bucket.Item2, sink, cancellationToken).ConfigureAwait(false);
        await CloudPreflight.CheckServersAsync(options.Import.Servers, options.Import.Connection, cancellationToken).ConfigureAwait(false);

        using var work = WorkFolder.Create(options.WorkFolder);
        var catalog = await S3ChunkCatalog.BuildAsync(store, options, work, sink, cancellationToken).ConfigureAwait(false);
        var totals = new ImportTotals();
        foreach (var refused in catalog.Refused)
            totals.AddFailedFile(refused);
        foreach (var note in catalog.Notes)
            totals.AddNote(note);

        using var progress = new ProgressTracker(sink, "Import-MemcacheData", "loading from S3");
        progress.SetTotal(catalog.Chunks.Sum(c => c.Records ?? 0));
        var importer = new ChunkImporter(store, options.Import, sink);
        var queue = Channel.CreateUnbounded<RemoteChunk>();
        foreach (var chunk in catalog.Chunks)
            queue.Writer.TryWrite(chunk);
        queue.Writer.TryComplete();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, Math.Min(options.Import.FileParallelism, Math.Max(1, catalog.Chunks.Count))).Select(slot => Task.Run(async () =>
        {
            try
            {
                await foreach (var chunk in queue.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    var outcome = await importer.ImportAsync(chunk, work.Slot(slot), stop.Token).ConfigureAwait(false);
                    if (outcome.Result is { } result)
                    {
                        totals.Add(result);
                        progress.Add(result.Read, result.Bytes);
                    }
                    else
                    {
                        sink.Error(outcome.Error!);
                        totals.AddFailedFile(chunk.Location.ToString());
                    }
                }
            }
            catch
            {
                // A failure that concerns the whole run (a target down, credentials refused): stop the other workers.
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None)).ToArray();

        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MemcacheException or OperationCanceledException)
        {
            var first = workers.Select(w => w.Exception?.InnerException).FirstOrDefault(e => e is MemcacheException) ?? ex;
            totals.AddNote("Interrupted: " + first.Message + " Chunks already loaded stay; with -Mode Add a rerun writes only what is missing.");
            await sink.EmitAsync(totals.ToResult(options.Import, path, clock.Elapsed), CancellationToken.None).ConfigureAwait(false);
            if (first is MemcacheException && !cancellationToken.IsCancellationRequested)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            throw;
        }
        progress.Complete();
        return totals.ToResult(options.Import, path, clock.Elapsed);
    }
}
