using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Import;

/// <summary>
/// Loads dumps into servers: each data file is verified first (a corrupt or truncated file is reported
/// and not loaded), then its records are routed to their owner and written with pipelined
/// <c>ms ... q</c> batches closed by <c>mn</c>, keeping flags and the remaining TTL.
/// </summary>
public static class ImportService
{
    /// <summary>A batch is sent when it holds this many bytes of commands, whatever its item count.</summary>
    private const int BatchBytes = 256 * 1024;

    public static Task<ImportResult> RunAsync(ImportOptions options, IOperationSink sink, CancellationToken cancellationToken)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();
        var notes = new List<string>();
        var failedFiles = new List<string>();
        var files = OpenSources(options, sink, notes, failedFiles);
        return LoadAsync(options, files, clock, notes, failedFiles, sink, cancellationToken);
    }

    /// <summary>
    /// Loads data files opened elsewhere (downloaded chunks, say, carrying the checksums their manifest or
    /// announcement recorded); <see cref="ImportOptions.Paths"/> only names the source in the result.
    /// </summary>
    public static Task<ImportResult> RunAsync(ImportOptions options, IReadOnlyList<DumpDataFile> files, IOperationSink sink, CancellationToken cancellationToken)
    {
        ValidateSettings(options);
        return LoadAsync(options, files.ToList(), Stopwatch.StartNew(), [], [], sink, cancellationToken);
    }

    private static async Task<ImportResult> LoadAsync(ImportOptions options, List<DumpDataFile> files, Stopwatch clock, List<string> notes,
        List<string> failedFiles, IOperationSink sink, CancellationToken cancellationToken)
    {
        var ring = options.Servers.Count > 1 ? options.Ring.Create(options.Servers) : null;
        var counters = new ReadCounters();
        using var progress = new ProgressTracker(sink, "Import-MemcacheData", "loading");
        progress.SetTotal(files.Sum(f => f.Records ?? 0));
        var targets = new List<TargetWriter>();
        // Cancelled by the caller, or as soon as a target's connection breaks: the files still waiting to load
        // must not each be verified only to find the target gone, and the other targets stop writing.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var throttles = options.Throttles ?? (options.MaxOperationsPerSecond is null && options.MaxBytesPerSecond is null
                ? null
                : new ThrottleRegistry(new ThrottleLimits { OperationsPerSecond = options.MaxOperationsPerSecond, BytesPerSecond = options.MaxBytesPerSecond }));
            foreach (var server in options.Servers)
            {
                var throttle = throttles is null ? (IThrottle)Unthrottled.Instance : throttles.GetThrottle(server);
                var target = await TargetWriter.StartAsync(server, options.Connections, options.Window, throttle, options.Connection, BatchBytes, stop.Token).ConfigureAwait(false);
                targets.Add(target);
                _ = target.Completion.ContinueWith(static (_, state) => Move.MoveService.TryCancel((CancellationTokenSource)state!), stop,
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
            using var gate = new SemaphoreSlim(options.FileParallelism);
            var loads = files.Select(async file =>
            {
                await gate.WaitAsync(stop.Token).ConfigureAwait(false);
                try
                {
                    await LoadFileAsync(file, options, targets, ring, counters, progress, stop.Token).ConfigureAwait(false);
                }
                catch (MemcacheException ex) when (ex.Kind is MemcacheErrorKind.InvalidData or MemcacheErrorKind.ResourceUnavailable || ex.ErrorId.StartsWith("Dump", StringComparison.Ordinal))
                {
                    // A bad file is reported and skipped; the other files go on.
                    sink.Error(ex);
                    lock (failedFiles)
                        failedFiles.Add(file.FullPath);
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            try
            {
                await Task.WhenAll(loads).ConfigureAwait(false);
                foreach (var target in targets)
                    await target.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception) when (targets.Select(t => t.Failure).FirstOrDefault(f => f is not null) is { } failure)
            {
                // The target's failure, not the cancellation it caused in the loads.
                ExceptionDispatchInfo.Throw(failure);
            }
            progress.Complete();
            return Result(options, targets, counters, failedFiles, files.Count, clock.Elapsed, notes);
        }
        catch (Exception ex) when (ex is MemcacheException or OperationCanceledException)
        {
            var partial = Result(options, targets, counters, failedFiles, files.Count, clock.Elapsed,
                [.. notes, "Interrupted: " + ex.Message + " Items already written stay; with -Mode Add a rerun writes only what is missing."]);
            await sink.EmitAsync(partial, CancellationToken.None).ConfigureAwait(false);
            if (ex is MemcacheException { Kind: not MemcacheErrorKind.InvalidArgument } failure)
                throw failure.WithAdvice("Items already written stay: run the same import again (with -Mode Add it writes only what is missing).");
            throw;
        }
        finally
        {
            foreach (var target in targets)
                await target.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Validate(ImportOptions options)
    {
        if (options.Servers.Count > 0 && options.Paths.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoPath", "No dump was given. Name a dump folder or data file with -Path.");
        ValidateSettings(options);
    }

    /// <summary>Checks everything but the paths: targets, parallelism, TTL and placement settings.</summary>
    internal static void ValidateSettings(ImportOptions options)
    {
        if (options.Servers.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoServer", "No target server was given. Name the server(s) to load, e.g. 127.0.0.1:11211.");
        if (options.Connections is < 1 or > 64 || options.Window is < 1 or > 64 || options.BatchSize is < 1 or > 10_000 || options.FileParallelism is < 1 or > 64)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidSetting", "Connections, window and file parallelism must be 1-64 and the batch size 1-10000.");
        if (options.MinimumTtl < 0 || options.TtlOverride < 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidTtl", "TTL settings must not be negative.");
        // Placement settings are checked even for one target, which needs no ring: a wrong form fails the same way whatever the server count.
        options.Ring.Validate();
    }

    /// <summary>Opens every path; incomplete dumps are refused (unless allowed) and listed in the notes.</summary>
    private static List<DumpDataFile> OpenSources(ImportOptions options, IOperationSink sink, List<string> notes, List<string> failedFiles)
    {
        var files = new List<DumpDataFile>();
        foreach (var path in options.Paths)
        {
            var source = DumpSource.Open(path);
            if (!source.IsComplete)
            {
                if (!options.AllowIncomplete)
                {
                    sink.Error(new MemcacheException(MemcacheErrorKind.InvalidData, "DumpIncomplete",
                        $"The dump '{source.Path}' is incomplete ({source.IncompleteReason}). Finish it (export with -Resume) or load what it has with -AllowIncomplete.", source.Path));
                    failedFiles.Add(source.Path);
                    continue;
                }
                // Said as a warning too: at a console the result's notes are not on screen, and a partial load must not pass for a whole one.
                var note = $"Loaded the finished files of the incomplete dump '{source.Path}' ({source.IncompleteReason}).";
                notes.Add(note);
                sink.Warning(note);
            }
            if (source.FlagsMayBeTruncated)
            {
                var note = $"'{source.Path}' is a cachemover dump: cachemover keeps only the low 16 bits of flags, so flags above 65535 arrive truncated.";
                notes.Add(note);
                sink.Warning(note);
            }
            if (source.IgnoredFiles.Count > 0)
                sink.Verbose($"{source.Path}: ignored {source.IgnoredFiles.Count} file(s) the dump does not list: {string.Join(", ", source.IgnoredFiles.Take(5))}");
            files.AddRange(source.Files);
        }
        return files;
    }

    private static async Task LoadFileAsync(DumpDataFile file, ImportOptions options, List<TargetWriter> targets, IOwnerLookup? ring,
        ReadCounters counters, ProgressTracker progress, CancellationToken cancellationToken)
    {
        var verified = !options.SkipChecksum && file.VerifyChecksum();
        if (!verified)
            ScanStructure(file); // no checksum to compare: at least prove the file is whole before loading it
        var pending = new StoreBatch?[targets.Count];
        using var reader = file.OpenReader();
        var fileState = new FileLoadState(reader, options, targets, ring, counters, pending);
        while (true)
        {
            var (full, target, done) = fileState.FillNext();
            if (full is not null)
                await targets[target].SendAsync(full, cancellationToken).ConfigureAwait(false);
            progress.Add(fileState.TakeProgressItems(), fileState.TakeProgressBytes());
            if (done)
                break;
        }
        for (var t = 0; t < targets.Count; t++)
        {
            if (pending[t] is { Count: > 0 } rest)
                await targets[t].SendAsync(rest, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void ScanStructure(DumpDataFile file)
    {
        using var reader = file.OpenReader();
        while (reader.TryReadNext(out _))
        {
        }
    }

    private static ImportResult Result(ImportOptions options, List<TargetWriter> targets, ReadCounters read, List<string> failedFiles, int fileCount, TimeSpan elapsed, List<string> notes)
    {
        long stored = 0, notStored = 0, tooLarge = 0, failed = 0, bytes = 0;
        foreach (var t in targets)
        {
            stored += t.Counters.Stored;
            notStored += t.Counters.NotStored;
            tooLarge += t.Counters.TooLarge;
            failed += t.Counters.Failed + t.Counters.OutOfMemory;
            bytes += t.Counters.Bytes;
            if (t.Counters.OutOfMemory > 0)
                notes.Add($"{t.Server} ran out of memory for {t.Counters.OutOfMemory} item(s) (SERVER_ERROR out of memory): give it more memory (-m) or load less.");
            if (t.Counters.FirstFailure is { } first && t.Counters.Failed > 0)
                notes.Add($"{t.Server}: first failure: {first}");
        }
        if (read.InvalidKeys > 0)
            notes.Add($"{read.InvalidKeys} record(s) had keys memcached's meta protocol cannot address (counted as failed).");
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        return new ImportResult
        {
            Server = string.Join(",", options.Servers),
            Path = string.Join(",", options.Paths),
            Mode = options.Mode,
            Read = read.Read,
            Stored = stored,
            AlreadyPresent = options.Mode == StoreMode.Add ? notStored : 0,
            Absent = options.Mode == StoreMode.Replace ? notStored : 0,
            Expired = read.Expired,
            TooLarge = tooLarge + read.TooLarge,
            Failed = failed + read.InvalidKeys,
            Bytes = bytes,
            Files = fileCount - failedFiles.Count(f => !Directory.Exists(f)),
            FailedFiles = failedFiles.ToList(),
            Duration = elapsed,
            ItemsPerSecond = Math.Round(stored / seconds, 1),
            MegabytesPerSecond = Math.Round(bytes / seconds / (1024 * 1024), 2),
            Notes = notes,
        };
    }

    /// <summary>Counts of what was read and skipped before sending, shared by the file readers.</summary>
    internal sealed class ReadCounters
    {
        public long Read;
        public long Expired;
        public long TooLarge;
        public long InvalidKeys;
    }

    /// <summary>
    /// Reads one file's records into per-target batches. Synchronous so record spans never cross an
    /// await; it stops as soon as one batch is full so the caller can send it.
    /// </summary>
    private sealed class FileLoadState(DataFileReader reader, ImportOptions options, List<TargetWriter> targets, IOwnerLookup? ring,
        ReadCounters counters, StoreBatch?[] pending)
    {
        private long _items;
        private long _now;
        private long _bytes;

        public long TakeProgressItems()
        {
            var n = _items;
            _items = 0;
            return n;
        }

        public long TakeProgressBytes()
        {
            var n = _bytes;
            _bytes = 0;
            return n;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public (StoreBatch? Full, int Target, bool Done) FillNext()
        {
            long read = 0, expired = 0, tooLarge = 0, invalid = 0;
            // The clock is read once per batch, not once per file: a remaining TTL is computed when its
            // record joins a batch, and a file can take long to load (a large file, a throttled import).
            _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            try
            {
                while (reader.TryReadNext(out var record))
                {
                    read++;
                    _items++;
                    long ttl;
                    if (options.TtlOverride is { } fixedTtl)
                        ttl = fixedTtl;
                    else if (!ExpiryMath.TryGetTtlToken(record.Expiry, _now, options.MinimumTtl, out ttl))
                    {
                        expired++;
                        continue;
                    }
                    if (!KeyCodec.IsAddressable(record.Key))
                    {
                        invalid++;
                        continue;
                    }
                    var target = ring?.GetOwnerIndex(record.Key) ?? 0;
                    var writer = targets[target];
                    if (record.Value.Length > ExpiryMath.MaxValueLength(writer.Settings.ItemSizeMax, record.Key.Length, record.Flags))
                    {
                        tooLarge++;
                        continue;
                    }
                    var batch = pending[target] ??= writer.Rent();
                    batch.Add(record.Key, record.Flags, ttl, record.Value, options.Mode);
                    _bytes += record.Value.Length;
                    if (batch.Count >= options.BatchSize || batch.CommandBytes >= BatchBytes)
                    {
                        pending[target] = null;
                        return (batch, target, false);
                    }
                }
                return (null, 0, true);
            }
            finally
            {
                Interlocked.Add(ref counters.Read, read);
                Interlocked.Add(ref counters.Expired, expired);
                Interlocked.Add(ref counters.TooLarge, tooLarge);
                Interlocked.Add(ref counters.InvalidKeys, invalid);
            }
        }
    }
}
