using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Imports one chunk: downloads it into a slot of the work folder (its key mapped by <see cref="ChunkLocalPath"/>),
/// lets <see cref="ImportService"/> verify and load it (length, checksum, record count, then ketama routing to
/// the targets), and deletes the download whatever happened. Problems of the chunk itself (corrupt, missing,
/// unsafe key) come back as a failed outcome; anything else (a target or the endpoint unreachable, refused
/// credentials, cancellation) is thrown, because the next chunk would meet it too.
/// </summary>
internal sealed class ChunkImporter(IChunkStore store, ImportOptions options, IOperationSink sink)
{
    /// <summary>
    /// Each chunk is loaded by an import of its own; up to FileParallelism run at once and draw from the same
    /// throttle per target server, so together they stay within what was asked per server, and one chunk
    /// loading alone may use all of it.
    /// </summary>
    private readonly ImportOptions _import = options.MaxOperationsPerSecond is null && options.MaxBytesPerSecond is null
        ? options
        : options with
        {
            Throttles = new ThrottleRegistry(new ThrottleLimits { OperationsPerSecond = options.MaxOperationsPerSecond, BytesPerSecond = options.MaxBytesPerSecond }),
        };

    public async Task<ChunkImportOutcome> ImportAsync(RemoteChunk chunk, string slotFolder, CancellationToken cancellationToken)
    {
        var uri = chunk.Location.ToString();
        if (!ChunkLocalPath.TryResolve(slotFolder, chunk.Location.Key, out var local, out var problem))
        {
            return ChunkImportOutcome.Failed(new MemcacheException(MemcacheErrorKind.InvalidData, "UnsafeObjectKey",
                $"{uri} was not downloaded: its key cannot be stored in the work folder ({problem}). Whoever named it is not trustworthy; remove it.", uri));
        }
        try
        {
            sink.Verbose($"Downloading {uri}");
            await store.DownloadFileAsync(chunk.Location, local, cancellationToken).ConfigureAwait(false);
            if (!chunk.CanBeVerified && !_import.SkipChecksum)
                sink.Warning($"{uri} has no recorded checksum (no manifest, no cacheDumpChunk metadata, not a cachemover MD5 name): only its record structure is checked.");
            sink.Verbose($"Importing {uri}");
            var capture = new ChunkSink(sink);
            var result = await ImportService.RunAsync(_import with { Paths = [uri] }, [chunk.ToDataFile(local)], capture, cancellationToken).ConfigureAwait(false);
            if (capture.FirstError is { } error || result.FailedFiles.Count > 0)
            {
                return ChunkImportOutcome.Failed(Relabel(capture.FirstError ?? new MemcacheException(MemcacheErrorKind.InvalidData, "ChunkNotLoaded",
                    $"{uri} was not loaded.", uri), local, uri));
            }
            return ChunkImportOutcome.Imported(result);
        }
        catch (MemcacheException ex) when (IsProblemOfTheChunk(ex))
        {
            return ChunkImportOutcome.Failed(Relabel(ex, local, uri));
        }
        finally
        {
            TryDelete(local);
        }
    }

    /// <summary>
    /// Failures that belong to one chunk and would not recur with the next: damage, a missing or unreadable
    /// object, a download cut short. Everything else concerns the whole run.
    /// </summary>
    public static bool IsProblemOfTheChunk(MemcacheException ex)
        => ex.Kind == MemcacheErrorKind.InvalidData
           || ex.ErrorId is "S3ObjectNotFound" or "S3RequestFailed" or "S3DownloadIncomplete" or "UnsafeObjectKey"
           || ex.ErrorId.StartsWith("Dump", StringComparison.Ordinal);

    /// <summary>The engine's message names the local copy; the user knows the chunk by its S3 address.</summary>
    private static MemcacheException Relabel(MemcacheException ex, string local, string uri)
        => new(ex.Kind, ex.ErrorId, ex.Message.Replace(local, uri, StringComparison.Ordinal), uri, ex);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The work folder is removed at the end.
        }
    }

    /// <summary>
    /// Stands between one chunk's import and the operation's sink: warnings and verbose notes pass, errors are
    /// kept for the caller to report with the chunk's address, and per-chunk results and progress stay here.
    /// </summary>
    private sealed class ChunkSink(IOperationSink outer) : IOperationSink
    {
        private MemcacheException? _firstError;

        public MemcacheException? FirstError => Volatile.Read(ref _firstError);

        public ValueTask EmitAsync(object result, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public void Error(MemcacheException error) => Interlocked.CompareExchange(ref _firstError, error, null);

        public void Warning(string message) => outer.Warning(message);

        public void Verbose(string message) => outer.Verbose(message);

        public void Progress(ProgressSnapshot snapshot)
        {
        }
    }
}

/// <summary>How one chunk import ended: its result, or the error that kept it from loading.</summary>
internal sealed record ChunkImportOutcome(ImportResult? Result, MemcacheException? Error)
{
    public bool Success => Error is null;

    public static ChunkImportOutcome Imported(ImportResult result) => new(result, null);

    public static ChunkImportOutcome Failed(MemcacheException error) => new(null, error);
}
