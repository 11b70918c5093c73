using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Export;

/// <summary>
/// Dumps every item of one or more servers: the listing (<c>metadump hash</c>) is spooled to key files
/// while fetch workers, each with its own connection, read finished key files and fetch their values
/// with pipelined <c>mg</c> into rotating data files. The manifest records progress so an interrupted
/// export resumes without redoing finished key files or writing any record twice.
/// </summary>
public static class ExportService
{
    public static Task<ExportResult> RunAsync(ExportOptions options, IOperationSink sink, CancellationToken cancellationToken)
        => RunAsync(options, sink, observer: null, cancellationToken);

    /// <summary>
    /// Runs the export and tells <paramref name="observer"/> about each data file once the manifest lists it,
    /// and about the end of the dump (see <see cref="IDumpFileObserver"/>).
    /// </summary>
    public static async Task<ExportResult> RunAsync(ExportOptions options, IOperationSink sink, IDumpFileObserver? observer, CancellationToken cancellationToken)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();
        var layout = DumpLayoutWriter.For(options.Layout, Path.GetFullPath(options.Path), options.Checksum);
        var (state, isNew) = Prepare(options, layout, sink);
        using var progress = new ProgressTracker(sink, "Export-MemcacheData", "listing keys");
        var fetcher = new KeyFileFetcher(options, layout, progress, sink);
        var restarts = new RestartWatch(sink);
        restarts.Seed(state.Manifest.Sources);
        var notes = new List<string>();
        try
        {
            if (observer is not null)
                await observer.OnStartedAsync(FolderInfo(state, layout), cancellationToken).ConfigureAwait(false);
            var queue = Channel.CreateUnbounded<(ServerEndpoint Server, KeyFileInfo File)>();
            foreach (var pending in PendingKeyFiles(state, layout, options))
                queue.Writer.TryWrite(pending);
            if (state.Manifest.ListingComplete)
            {
                queue.Writer.TryComplete();
                progress.SetTotal(state.Manifest.KeyFiles.Where(k => !k.Fetched).Sum(k => k.Lines));
                progress.SetPhase("fetching values");
                notes.Add("Resumed: " + state.Manifest.KeyFiles.Count(k => k.Fetched) + " of " + state.Manifest.KeyFiles.Count + " key files were already done.");
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // The first manifest of a new dump is written while the listing connects: with its fsync and
            // rename it takes some milliseconds. The state's lock orders it with the key files' manifest
            // writes; whichever runs first writes the whole manifest.
            var firstSave = isNew ? Task.Run(state.Save, stop.Token) : Task.CompletedTask;
            var listing = state.Manifest.ListingComplete
                ? Task.CompletedTask
                : Task.Run(() => ListAllAsync(options, layout, state, queue.Writer, progress, restarts, sink, stop.Token), stop.Token);
            var throttles = options.Servers.ToDictionary(s => s, _ => CreateThrottle(options));
            var workers = Enumerable.Range(0, options.Connections)
                .Select(_ => Task.Run(() => WorkerAsync(options, fetcher, state, queue.Reader, throttles, restarts, observer, stop.Token), stop.Token))
                .ToArray();
            await WhenAllOrFirstFailure([firstSave, listing, .. workers], stop).ConfigureAwait(false);

            state.MarkComplete();
            layout.Finish(state.Manifest, clock.Elapsed);
            if (observer is not null)
                await observer.OnCompletedAsync(cancellationToken).ConfigureAwait(false);
            progress.Complete();
            fetcher.ReportUnaddressable(notes);
            notes.AddRange(restarts.Notes);
            return Result(options, state, layout, clock.Elapsed, complete: true, notes);
        }
        catch (Exception ex) when (ex is MemcacheException or OperationCanceledException or IOException)
        {
            fetcher.ReportUnaddressable(notes);
            notes.AddRange(restarts.Notes);
            // Report what was written before failing: the dump stays resumable.
            var partial = Result(options, state, layout, clock.Elapsed, complete: false,
                [.. notes, "Interrupted: " + ex.Message + (IsLasting(ex) ? string.Empty : " Run the same export again with -Resume to finish it.")]);
            await sink.EmitAsync(partial, CancellationToken.None).ConfigureAwait(false);
            if (ex is MemcacheException { Kind: not MemcacheErrorKind.InvalidArgument } failure)
                throw failure.WithAdvice($"What was dumped is kept in '{layout.Root}': run the same export again with -Resume to finish it.");
            throw;
        }
    }

    /// <summary>True for failures a rerun meets again (a server that lists no keys, refused credentials or certificates).</summary>
    private static bool IsLasting(Exception ex) => ex is MemcacheException
    {
        Kind: MemcacheErrorKind.Unsupported or MemcacheErrorKind.InvalidArgument or MemcacheErrorKind.AccessDenied or MemcacheErrorKind.CertificateInvalid or MemcacheErrorKind.InvalidData,
    };

    private static void Validate(ExportOptions options)
    {
        if (options.Servers.Count == 0)
            throw Invalid("NoServer", "No server was given. Name the server to dump, e.g. 127.0.0.1:11211.");
        if (options.Connections is < 1 or > ExportOptions.MaxConnections)
            throw Invalid("InvalidConnections", $"Connections must be 1-{ExportOptions.MaxConnections}, not {options.Connections}.");
        if (options.BatchSize is < 1 or > ExportOptions.MaxBatchSize)
            throw Invalid("InvalidBatchSize", $"The batch size must be 1-{ExportOptions.MaxBatchSize}, not {options.BatchSize}.");
        if (options.Window is < 1 or > ExportOptions.MaxWindow)
            throw Invalid("InvalidWindow", $"The window must be 1-{ExportOptions.MaxWindow}, not {options.Window}.");
        if (options.KeyFileSize < ExportOptions.MinFileSize || options.DataFileSize < ExportOptions.MinFileSize)
            throw Invalid("InvalidFileSize", $"Key and data file sizes must be at least {ExportOptions.MinFileSize} bytes.");
        if (options.Checksum is not (ChecksumAlgorithm.Crc32C or ChecksumAlgorithm.Sha256))
            throw Invalid("InvalidChecksum", "The checksum must be Crc32C or Sha256.");
        if (options.Resume && options.Force)
            throw Invalid("ResumeAndForce", "-Resume continues a dump and -Force replaces it; choose one.");
        var needed = EstimateMemory(options);
        if (needed > options.MemoryLimit)
            throw Invalid("MemoryLimitTooLow",
                $"These settings need about {needed / (1024 * 1024)} MiB of buffers ({options.Connections} connections x (key file {options.KeyFileSize / 1024} KiB + data and receive buffers)), more than the memory limit of {options.MemoryLimit / (1024 * 1024)} MiB. Lower the connections or the key file size, or raise the memory limit.");
    }

    /// <summary>
    /// Buffers an export holds at most: per connection a key file, a data-file buffer, the receive
    /// buffer (which grows to the largest value), the send buffer and the key batches; plus the listing.
    /// </summary>
    public static long EstimateMemory(ExportOptions options)
    {
        const long writeBuffer = DataFileWriter.DefaultBufferSize;
        const long largestValue = 1024 * 1024 + 4096;
        var receive = Math.Max(options.Connection.ReceiveBufferSize, largestValue) * 2;
        var send = 320L * 1024;
        var batches = (options.Window + 2L) * options.BatchSize * 300;
        // Data-file buffers: the one being filled, its write-behind spare, and the pair of the key file
        // still completing in the background.
        var perConnection = options.KeyFileSize + 4 * writeBuffer + receive + send + batches;
        var listing = options.Connection.ReceiveBufferSize * 2L + options.Servers.Count * 1024L * 1024;
        return options.Connections * perConnection + listing;
    }

    private static MemcacheException Invalid(string id, string message) => new(MemcacheErrorKind.InvalidArgument, id, message);

    private static IThrottle CreateThrottle(ExportOptions options)
        => options.MaxOperationsPerSecond is null && options.MaxBytesPerSecond is null
            ? Unthrottled.Instance
            : new TokenBucketThrottle(new ThrottleLimits { OperationsPerSecond = options.MaxOperationsPerSecond, BytesPerSecond = options.MaxBytesPerSecond });

    /// <summary>Creates or reopens the dump folder and its manifest according to -Resume / -Force.</summary>
    /// <summary>The dump's state: resumed from its manifest, or new (IsNew: its manifest is not written yet).</summary>
    private static (ExportState State, bool IsNew) Prepare(ExportOptions options, DumpLayoutWriter layout, IOperationSink sink)
    {
        var manifestPath = Path.Combine(layout.StateDirectory, NativeLayout.ManifestFileName);
        var exists = File.Exists(manifestPath);
        if (exists && options.Resume)
        {
            var previous = ManifestStore.Read(layout.StateDirectory);
            if (previous.Complete)
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "DumpAlreadyComplete",
                    $"The dump in '{layout.Root}' is already complete; nothing to resume. Use -Force to replace it.", layout.Root);
            var problem = "the listing had not finished";
            if (previous.ListingComplete && KeyFilesIntact(layout, previous, out problem))
            {
                if (previous.ChecksumKind != layout.Checksum)
                    throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "DumpChecksumDiffers",
                        $"The dump in '{layout.Root}' uses {previous.ChecksumAlgorithm} checksums; resume it with the same -Checksum.", layout.Root);
                RemoveUnlistedDataFiles(layout, previous);
                return (new ExportState(layout.StateDirectory, previous), false);
            }
            sink.Warning(previous.ListingComplete
                ? $"The interrupted dump in '{layout.Root}' cannot be resumed ({problem}); starting it again from the beginning."
                : $"The interrupted dump in '{layout.Root}' had not finished listing keys; starting it again from the beginning.");
        }
        else if (exists && !options.Force)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "DumpExists",
                $"'{layout.Root}' already holds a dump. Use -Resume to finish an interrupted one, -Force to replace it, or choose another path.", layout.Root);
        }
        else if (options.Resume)
        {
            sink.Warning($"No interrupted dump was found in '{layout.Root}'; starting a new one.");
        }
        Wipe(layout);
        layout.CreateDirectories();
        var manifest = new DumpManifest
        {
            CreatedUtc = DateTimeOffset.UtcNow,
            DumpHost = Environment.MachineName,
            ChecksumAlgorithm = DumpChecksum.ManifestName(options.Checksum),
            Settings = Settings(options),
        };
        return (new ExportState(layout.StateDirectory, manifest), true);
    }

    private static Dictionary<string, string> Settings(ExportOptions o)
    {
        var c = CultureInfo.InvariantCulture;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["layout"] = o.Layout.ToString(),
            ["connections"] = o.Connections.ToString(c),
            ["batchSize"] = o.BatchSize.ToString(c),
            ["window"] = o.Window.ToString(c),
            ["keyFileSize"] = o.KeyFileSize.ToString(c),
            ["dataFileSize"] = o.DataFileSize.ToString(c),
            ["memoryLimit"] = o.MemoryLimit.ToString(c),
            ["onlyExpireAfterSeconds"] = o.OnlyExpireAfterSeconds.ToString(c),
            ["listingMethod"] = o.Listing.Method.ToString(),
        };
        if (o.RequestId is not null)
            settings["requestId"] = o.RequestId;
        if (o.OwnerFilter is not null)
            settings["ketama"] = $"{o.OwnerFilter.Lookup.Description}, keeping {string.Join(",", o.OwnerFilter.KeepOwners)}";
        if (o.Keys is { IsListing: false } keys)
            settings["keys"] = keys.Description;
        return settings;
    }

    /// <summary>Removes what a fresh dump replaces: the manifest, key files, data files and staging leftovers.</summary>
    private static void Wipe(DumpLayoutWriter layout)
    {
        foreach (var dir in new[] { layout.KeysDirectory, layout.DataDirectory, Path.Combine(layout.Root, CachemoverLayout.StagingFolder) })
        {
            if (!Directory.Exists(dir))
                continue;
            foreach (var file in Directory.EnumerateFiles(dir))
                File.Delete(file);
        }
        foreach (var name in new[] { NativeLayout.ManifestFileName, CachemoverLayout.DoneFileName })
        {
            var path = Path.Combine(name == NativeLayout.ManifestFileName ? layout.StateDirectory : layout.DataDirectory, name);
            if (File.Exists(path))
                File.Delete(path);
        }
    }

    /// <summary>Checks that every key file still to fetch is there with the line count the manifest recorded.</summary>
    private static bool KeyFilesIntact(DumpLayoutWriter layout, DumpManifest manifest, out string problem)
    {
        foreach (var entry in manifest.KeyFiles.Where(k => !k.Fetched))
        {
            var path = Path.Combine(layout.KeysDirectory, entry.Name);
            if (!File.Exists(path))
            {
                problem = $"key file '{entry.Name}' is missing";
                return false;
            }
            long lines = 0;
            using (var stream = File.OpenRead(path))
            {
                var buffer = new byte[64 * 1024];
                int n;
                while ((n = stream.Read(buffer)) > 0)
                    lines += buffer.AsSpan(0, n).Count((byte)'\n');
            }
            if (lines != entry.Lines)
            {
                problem = $"key file '{entry.Name}' has {lines} lines but the manifest recorded {entry.Lines}";
                return false;
            }
        }
        problem = string.Empty;
        return true;
    }

    /// <summary>On resume, data files the manifest does not list are leftovers of unfinished key files.</summary>
    private static void RemoveUnlistedDataFiles(DumpLayoutWriter layout, DumpManifest manifest)
    {
        var listed = manifest.Files.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        listed.Add(CachemoverLayout.MetricsCheckpointFileName);
        foreach (var dir in new[] { layout.DataDirectory, Path.Combine(layout.Root, CachemoverLayout.StagingFolder) })
        {
            if (!Directory.Exists(dir))
                continue;
            foreach (var file in Directory.EnumerateFiles(dir))
            {
                if (!listed.Contains(Path.GetFileName(file)))
                    File.Delete(file);
            }
        }
    }

    private static IEnumerable<(ServerEndpoint, KeyFileInfo)> PendingKeyFiles(ExportState state, DumpLayoutWriter layout, ExportOptions options)
    {
        var index = 0;
        foreach (var entry in state.Manifest.KeyFiles)
        {
            var current = index++;
            if (entry.Fetched)
                continue;
            var server = entry.Server is null ? options.Servers[0] : ServerEndpoint.Parse(entry.Server);
            var path = Path.Combine(layout.KeysDirectory, entry.Name);
            if (!File.Exists(path))
                throw new MemcacheException(MemcacheErrorKind.InvalidData, "DumpKeyFileMissing",
                    $"Key file '{path}' listed in the manifest is missing, so the dump cannot be resumed. Run the export again with -Force.", path);
            yield return (server, new KeyFileInfo(current, entry.Name, path, entry.Lines, new FileInfo(path).Length));
        }
    }

    /// <summary>Lists every server (one listing each, in parallel) into key files announced on the queue.</summary>
    private static async Task ListAllAsync(ExportOptions options, DumpLayoutWriter layout, ExportState state,
        ChannelWriter<(ServerEndpoint, KeyFileInfo)> queue, ProgressTracker progress, RestartWatch restarts, IOperationSink sink, CancellationToken cancellationToken)
    {
        try
        {
            var nextIndex = 0;
            var tasks = options.Servers.Select(server => Task.Run(async () =>
            {
                var source = new DumpManifestSource
                {
                    Server = server.ToString(),
                    HostTimeAtStart = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                };
                void OnKeyFile(KeyFileInfo file)
                {
                    state.AddKeyFile(file, server.ToString());
                    queue.TryWrite((server, file));
                }
                // Each server numbers its key files from a block of its own, so names never collide.
                var first = Interlocked.Add(ref nextIndex, 1_000_000) - 1_000_000;
                using var spool = new KeyFileSpool(layout.KeysDirectory, i => layout.KeyFileName(server, i), options.KeyFileSize,
                    options.Servers.Count == 1 ? 0 : first, OnKeyFile);
                var keys = options.Keys ?? KeySource.Listing;
                var summary = await keys.ListAsync(server, options.Listing with { Connection = options.Connection }, spool, sink, cancellationToken).ConfigureAwait(false);
                if (summary.Missing > 0)
                {
                    // Given keys the server lacks were never spooled: counted here, listed and missing.
                    state.AddMissingFromListing(summary.Missing);
                    sink.Verbose(string.Create(CultureInfo.InvariantCulture, $"{server}: {summary.Missing:N0} of the given keys are not on the server (counted as missing)."));
                }
                source.Version = summary.ServerVersion;
                source.ServerTimeAtStart = summary.ServerTimeAtStart.ToUnixTimeSeconds();
                if (summary.Server is { } identity)
                {
                    // Recorded so that a resume can tell the server restarted (and lost its items) since.
                    source.ServerPid = identity.Pid;
                    source.ServerStartedAt = identity.StartedAt.ToUnixTimeSeconds();
                    restarts.Observe(server, identity);
                }
                lock (state.Manifest)
                    state.Manifest.Sources.Add(source);
            }, cancellationToken)).ToArray();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            state.ListingDone();
            progress.SetTotal(state.Manifest.KeyFiles.Sum(k => k.Lines));
            progress.SetPhase("fetching values");
            queue.TryComplete();
        }
        catch (Exception ex)
        {
            queue.TryComplete(ex);
            throw;
        }
    }

    /// <summary>One fetch worker: takes key files as they are listed and fetches them over its own connections.</summary>
    private static async Task WorkerAsync(ExportOptions options, KeyFileFetcher fetcher, ExportState state,
        ChannelReader<(ServerEndpoint Server, KeyFileInfo File)> queue, Dictionary<ServerEndpoint, IThrottle> throttles, RestartWatch restarts,
        IDumpFileObserver? observer, CancellationToken cancellationToken)
    {
        var connections = new Dictionary<ServerEndpoint, MemcachedConnection>();
        // Completing a key file's data files (flush, fsync, rename, manifest) runs while the next key file
        // is fetched; at most one completion is pending per worker, so memory stays bounded.
        Task? completing = null;
        try
        {
            // Connect before the first key file is listed: the listing connects at the same time, and a
            // worker that waited for its first key file would start fetching one connection set-up later.
            foreach (var server in options.Servers)
                connections[server] = await ConnectAsync(server, options, restarts, cancellationToken).ConfigureAwait(false);
            await foreach (var (server, keyFile) in queue.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                (DataFileSink Sink, KeyFileCounts Counts) fetched;
                for (var attempt = 1; ; attempt++)
                {
                    if (!connections.TryGetValue(server, out var connection))
                        connections[server] = connection = await ConnectAsync(server, options, restarts, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        fetched = await fetcher.FetchAsync(connection, server, keyFile, throttles[server], cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (MemcacheException ex) when (attempt == 1 && ex.Kind is MemcacheErrorKind.ConnectionFailed or MemcacheErrorKind.ProtocolError)
                    {
                        // The connection dropped (a reset, a restart) or lost its place in the protocol: one fresh
                        // connection per key file before giving up; the key file is redone whole. A server that went
                        // silent or trickled (a timeout) is not retried: it would not answer a new connection either,
                        // and waiting for it again would double the time the export takes to report it.
                        connection.Dispose();
                        connections.Remove(server);
                    }
                }
                if (completing is not null)
                {
                    try
                    {
                        await completing.ConfigureAwait(false);
                    }
                    catch
                    {
                        // The previous key file could not be completed (e.g. the disk is full): this one is
                        // discarded too, so no file stays open and nothing unlisted is left behind.
                        fetched.Sink.Abort();
                        throw;
                    }
                }
                var name = keyFile.Name;
                completing = Task.Run(() => CompleteKeyFileAsync(name, fetched.Sink, fetched.Counts, state, observer, cancellationToken), CancellationToken.None);
            }
            if (completing is not null)
                await completing.ConfigureAwait(false);
        }
        finally
        {
            if (completing is { IsCompleted: false })
            {
                try
                {
                    await completing.ConfigureAwait(false);
                }
                catch
                {
                    // The worker is already failing; its first failure is the one reported.
                }
            }
            foreach (var connection in connections.Values)
                connection.Dispose();
        }
    }

    /// <summary>A fetch connection, and a check that the server is still the run the dump started with.</summary>
    private static async Task<MemcachedConnection> ConnectAsync(ServerEndpoint server, ExportOptions options, RestartWatch restarts, CancellationToken cancellationToken)
    {
        var (connection, _) = await ServerProbe.ConnectAsync(server, options.Connection, cancellationToken).ConfigureAwait(false);
        try
        {
            await restarts.CheckAsync(server, connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Completes a fetched key file's data files and lists them; only then is the key file done.</summary>
    private static async Task CompleteKeyFileAsync(string keyFile, DataFileSink sink, KeyFileCounts counts, ExportState state,
        IDumpFileObserver? observer, CancellationToken cancellationToken)
    {
        List<DataFileInfo> files;
        try
        {
            files = sink.Complete();
        }
        catch
        {
            sink.Abort();
            throw;
        }
        state.KeyFileFetched(keyFile, files, counts);
        // After the manifest lists them: the key file is done and must never be fetched twice.
        if (observer is not null)
            await observer.OnFilesListedAsync(files, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The prepared folder, with the data files a resumed dump already lists.</summary>
    private static DumpFolderInfo FolderInfo(ExportState state, DumpLayoutWriter layout)
    {
        lock (state.Manifest)
        {
            var listed = state.Manifest.Files
                .Select(f => new DataFileInfo(f.Name, Path.Combine(layout.DataDirectory, f.Name), f.Records, f.Bytes, state.Manifest.ChecksumKind, f.ChecksumFor(state.Manifest.ChecksumKind) ?? string.Empty, null))
                .ToList();
            return new DumpFolderInfo(layout.Root, layout.StateDirectory, layout.DataDirectory, DumpFolderInfo.DumpIdOf(state.Manifest), listed);
        }
    }

    private static async Task WhenAllOrFirstFailure(Task[] tasks, CancellationTokenSource stop)
    {
        var remaining = tasks.ToList();
        while (remaining.Count > 0)
        {
            var done = await Task.WhenAny(remaining).ConfigureAwait(false);
            remaining.Remove(done);
            if (done.IsFaulted || done.IsCanceled)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await Task.WhenAll(remaining).ConfigureAwait(false);
                }
                catch
                {
                    // The first failure is the one reported.
                }
                await done.ConfigureAwait(false);
            }
        }
    }

    private static ExportResult Result(ExportOptions options, ExportState state, DumpLayoutWriter layout, TimeSpan elapsed, bool complete, List<string> notes)
    {
        var totals = state.Totals();
        if (options.Keys is { IsListing: false } keys && complete)
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"Keys from {keys.Description}: {totals.Dumped:N0} dumped, {totals.Missing:N0} missing (not on the server or gone before they were read)."));
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        List<string> files;
        lock (state.Manifest)
            files = state.Manifest.Files.Select(f => Path.Combine(layout.DataDirectory, f.Name)).ToList();
        return new ExportResult
        {
            Server = string.Join(",", options.Servers),
            Path = layout.Root,
            Layout = options.Layout,
            RequestId = options.RequestId,
            Complete = complete,
            Listed = totals.Listed,
            Dumped = totals.Dumped,
            Missing = totals.Missing,
            Filtered = totals.Filtered,
            Skipped = totals.Skipped,
            Bytes = totals.Bytes,
            Files = files.Count,
            Duration = elapsed,
            ItemsPerSecond = Math.Round(totals.Dumped / seconds, 1),
            MegabytesPerSecond = Math.Round(totals.Bytes / seconds / (1024 * 1024), 2),
            PeakMemoryBytes = PeakMemory.Bytes(),
            DataFiles = files,
            Notes = notes,
        };
    }
}
