using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// Live migration between memcached servers with no disk in between: list each source, route every key
/// to its owner on the new ring, fetch what must move with pipelined <c>mg</c> and write it with
/// pipelined <c>ms</c>, keeping value, flags and remaining TTL.
/// <para>
/// Passes: the first copies everything routed to a destination; each later pass lists the sources again
/// and copies only keys that are new or whose CAS changed since the previous pass (changed keys with
/// Set, so the newer version wins), and with SyncDeletes deletes on the destination the keys that
/// vanished from the source. Passes stop at the pass limit, when a pass finds fewer changes than the
/// threshold, or at the deadline. After the last pass one more listing (reading only) measures the
/// residual: what still differs. See docs/move.md for the precise definitions.
/// </para>
/// </summary>
public static class MoveService
{
    private static readonly TimeSpan ContinuousPassInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What the move would write to each destination; reads the sources' listings and the destinations'
    /// stats, writes nothing. With <paramref name="allowEstimate"/> a node replacement that clearly fits is
    /// answered from stats without listing (<see cref="MovePlan.Estimated"/>); -WhatIf wants the exact plan.
    /// </summary>
    public static async Task<IReadOnlyList<MovePlan>> PlanAsync(MoveOptions options, IOperationSink sink, CancellationToken cancellationToken, bool allowEstimate = false)
    {
        Validate(options);
        var routing = MoveRouting.Create(options);
        return await MovePlanner.PlanAsync(options, routing, sink, allowEstimate, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The preflight: throws MoveDestinationTooSmall when a destination's free memory cannot hold what
    /// the plan routes to it, unless <paramref name="force"/>; then returns the warnings to show instead.
    /// </summary>
    public static IReadOnlyList<string> CheckFit(IReadOnlyList<MovePlan> plan, bool force)
    {
        var misfits = plan.Where(p => p.Problem is null && !p.Fits).ToList();
        if (misfits.Count == 0)
            return [];
        var details = misfits.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"destination {p.Destination} would receive {p.Items:N0} items ({Size(p.Bytes)} of item data, {Size(p.MemoryNeeded)} of memory in its slab pages) but has only {Size(p.FreeBytes)} free (memory limit {Size(p.LimitBytes)}, {Size(p.UsedBytes)} in use)")).ToList();
        if (!force)
        {
            throw new MemcacheException(MemcacheErrorKind.ResourceUnavailable, "MoveDestinationTooSmall",
                "The move would not fit without evictions: " + string.Join("; ", details) +
                ". Give the destination more memory (memcached -m), add destinations to spread the keys, or use -Force to move anyway (evictions are then watched and reported).",
                string.Join(",", misfits.Select(p => p.Destination)));
        }
        return details.Select(d => "Moving anyway (-Force): " + d + "; expect evictions.").ToList();
    }

    /// <summary>
    /// Runs the move and returns one result per destination. Per-destination failures (a destination
    /// dying, refusing or aborted by the eviction policy) do not stop the others: they show in that
    /// destination's result. With -Continuous a <see cref="MovePassStatus"/> is emitted after every pass,
    /// and cancelling the token is the normal way to end it. <paramref name="plan"/> reuses a plan already
    /// made (e.g. for confirmation prompts) instead of listing again for the preflight.
    /// </summary>
    public static async Task<IReadOnlyList<MoveResult>> RunAsync(MoveOptions options, IOperationSink sink, CancellationToken cancellationToken,
        IReadOnlyList<MovePlan>? plan = null)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();
        var routing = MoveRouting.Create(options);
        using var progress = new ProgressTracker(sink, "Move-MemcacheNode", "preflight");
        using var move = new MoveContext(options, routing, sink, progress);
        await ProbeSourcesAsync(move, cancellationToken).ConfigureAwait(false);
        plan ??= await MovePlanner.PlanAsync(options, routing, sink, allowEstimate: true, cancellationToken).ConfigureAwait(false);
        foreach (var warning in CheckFit(plan, options.Force))
            sink.Warning(warning);
        foreach (var entry in plan)
        {
            var destination = move.Destinations.FirstOrDefault(d => d.Endpoint.ToString() == entry.Destination);
            if (entry.Problem is not null && destination is not null)
                FailDestination(move, destination, "It could not be reached before the move: " + entry.Problem);
        }
        progress.SetTotal(plan.Sum(p => p.Items));

        var notes = new List<string>();
        var interval = options.PassInterval ?? (options.Continuous ? ContinuousPassInterval : TimeSpan.Zero);
        ExceptionDispatchInfo? failure = null;
        var watcher = await EvictionWatcher.StartAsync(move, cancellationToken).ConfigureAwait(false);
        try
        {
            var passes = 0;
            while (true)
            {
                if (passes > 0 && !CanStartPass(move, clock))
                    break;
                var status = await RunPassAsync(move, ++passes, cancellationToken).ConfigureAwait(false);
                var more = CanStartPass(move, clock) && (options.Continuous || (passes < options.Passes && status.Changed >= options.ChangeThreshold));
                if (options.Continuous)
                {
                    var residual = await MeasureResidualAsync(move, passes, cancellationToken).ConfigureAwait(false);
                    await sink.EmitAsync(status.WithResidual(residual), cancellationToken).ConfigureAwait(false);
                }
                else if (!more)
                {
                    await MeasureResidualAsync(move, passes, cancellationToken).ConfigureAwait(false);
                }
                if (!more)
                    break;
                var wait = options.Deadline is { } deadline ? Min(interval, deadline - clock.Elapsed) : interval;
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                if (!options.Continuous && !CanStartPass(move, clock))
                {
                    // The deadline came during the pause: the residual of the last pass is still owed.
                    await MeasureResidualAsync(move, passes, cancellationToken).ConfigureAwait(false);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && options.Continuous)
        {
            // Stopping is how a continuous sync ends; the residual is the last pass's.
            notes.Add("Continuous sync stopped on request; the residual is the one measured after the last completed pass.");
        }
        catch (Exception ex) when (ex is MemcacheException or OperationCanceledException)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            await watcher.StopAsync(cancellationToken).ConfigureAwait(false);
            await watcher.DisposeAsync().ConfigureAwait(false);
            progress.Complete();
        }
        if (failure is not null)
        {
            // Report what was done before failing; Add mode makes a rerun complete the move.
            var partial = Results(move, clock.Elapsed, [.. notes, "Interrupted: " + failure.SourceException.Message + " Items already copied stay; run the move again (mode Add writes only what is missing)."], interrupted: true);
            foreach (var result in partial)
                await sink.EmitAsync(result, CancellationToken.None).ConfigureAwait(false);
            if (failure.SourceException is MemcacheException { Kind: not MemcacheErrorKind.InvalidArgument } error)
                throw error.WithAdvice("Items already copied stay: run the move again (mode Add writes only what is missing).");
            failure.Throw();
        }
        return Results(move, clock.Elapsed, notes, interrupted: false);
    }

    private static bool CanStartPass(MoveContext move, Stopwatch clock)
        => move.AnyDestinationLeft && move.Sources.Any(s => !s.Failed)
           && (move.Options.Deadline is not { } deadline || clock.Elapsed < deadline);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static void Validate(MoveOptions options)
    {
        static MemcacheException Invalid(string id, string message) => new(MemcacheErrorKind.InvalidArgument, id, message);
        if (options.Sources.Count == 0)
            throw Invalid("NoSource", "No source was given. Name the server(s) to read from with -Source, e.g. 10.0.0.1:11211.");
        if (options.Destinations.Count == 0)
            throw Invalid("NoDestination", "No destination was given. Name the server(s) to write to with -Destination.");
        if (options.Sources.Distinct().Count() != options.Sources.Count)
            throw Invalid("MoveDuplicateServer", "A source is listed twice; list each source once.");
        if (options.Destinations.Distinct().Count() != options.Destinations.Count)
            throw Invalid("MoveDuplicateServer", "A destination is listed twice; list each destination once.");
        if (options.Mode is not (StoreMode.Add or StoreMode.Set))
            throw Invalid("MoveInvalidMode", $"Mode {options.Mode} is not valid for a move: use Add (keep what the destination has) or Set (overwrite).");
        if (options.Passes is < 1 or > 100_000)
            throw Invalid("MoveInvalidPasses", $"Passes must be 1-100000, not {options.Passes}.");
        if (options.ChangeThreshold < 0)
            throw Invalid("MoveInvalidThreshold", "The change threshold must not be negative.");
        if (options.Deadline is { } deadline && deadline <= TimeSpan.Zero)
            throw Invalid("MoveInvalidDeadline", "The deadline must be a positive number of seconds.");
        if (options.PassInterval is { } interval && interval < TimeSpan.Zero)
            throw Invalid("MoveInvalidPassInterval", "The pass interval must not be negative.");
        if (options.Connections is < 1 or > 64 || options.Window is < 1 or > 64 || options.BatchSize is < 1 or > 10_000)
            throw Invalid("InvalidSetting", "Connections and window must be 1-64 and the batch size 1-10000.");
        if (options.EvictionSampleInterval <= TimeSpan.Zero || options.EvictionQuietPeriod < TimeSpan.Zero || options.EvictionMaxPause <= TimeSpan.Zero)
            throw Invalid("InvalidSetting", "Eviction sampling interval and maximum pause must be positive and the quiet period not negative.");
    }

    /// <summary>Proves every source answers before anything is written, and learns whether it keeps CAS values.</summary>
    private static async Task ProbeSourcesAsync(MoveContext move, CancellationToken cancellationToken)
    {
        await Task.WhenAll(move.Sources.Select(async source =>
        {
            var (connection, info) = await ServerProbe.ConnectAsync(source.Endpoint, move.Options.Connection, cancellationToken).ConfigureAwait(false);
            using (connection)
            {
                if (!info.SupportsMetadumpHash && move.Options.Keys is not { IsListing: false })
                    throw new MemcacheException(MemcacheErrorKind.Unsupported, "MoveListingUnsupported",
                        $"Source {source.Endpoint} runs memcached {info.VersionText}; a live move needs 'lru_crawler metadump hash' (1.6.9 or later), the only listing that is exact while the server takes traffic. Upgrade it, or dump and load it with Export-MemcacheData and Import-MemcacheData.",
                        source.Endpoint.ToString());
                var settings = await StatsService.ReadSettingsAsync(connection, cancellationToken).ConfigureAwait(false);
                source.CasEnabled = settings.CasEnabled || !settings.Raw.ContainsKey("cas_enabled");
            }
        })).ConfigureAwait(false);
        var noCas = move.Sources.Where(s => !s.CasEnabled).Select(s => s.Endpoint.ToString()).ToList();
        if (noCas.Count > 0 && (move.Options.Passes > 1 || move.Options.Continuous))
            throw new MemcacheException(MemcacheErrorKind.Unsupported, "MoveCasDisabled",
                $"Source(s) {string.Join(", ", noCas)} run with CAS disabled (memcached -C), so later passes cannot tell which keys changed. Run a single pass (-Passes 1, no -Continuous), or restart the source without -C.",
                string.Join(",", noCas));
    }

    /// <summary>One pass: fresh writers, every live source listed and copied in parallel, then deletions.</summary>
    private static async Task<MovePassStatus> RunPassAsync(MoveContext move, int pass, CancellationToken cancellationToken)
    {
        var options = move.Options;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        move.SetPhase(string.Create(CultureInfo.InvariantCulture, $"pass {pass}: listing and copying"));
        if (pass > 1)
            move.Progress.SetTotal(-1);
        var before = move.Destinations.Select(d => (d.Copied, d.Deleted, d.Refused)).ToArray();
        var listing = move.NextListing();
        var tokens = new List<CancellationTokenSource>();
        try
        {
            await Task.WhenAll(move.Destinations.Where(d => !d.Failed).Select(async d =>
            {
                var token = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, d.AbortToken);
                lock (tokens)
                    tokens.Add(token);
                try
                {
                    d.Writer = await TargetWriter.StartAsync(d.Endpoint, options.Connections, options.Window, d.Gate, options.Connection,
                        MoveContext.StoreBatchBytes, token.Token).ConfigureAwait(false);
                }
                catch (MemcacheException ex)
                {
                    FailDestination(move, d, $"Could not open it in pass {pass}: {ex.Message}");
                }
            })).ConfigureAwait(false);

            var sourcePasses = move.Sources.Where(s => !s.Failed).Select(s => (Source: s, Pass: new SourcePass(move, s, listing))).ToList();
            await Task.WhenAll(sourcePasses.Select(async p =>
            {
                try
                {
                    await p.Pass.RunAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (MemcacheException ex)
                {
                    FailSource(move, p.Source, $"Source {p.Source.Endpoint} failed in pass {pass}: {ex.Message} Its keys were not all copied; run the move again.", ex);
                }
            })).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            await CompleteWritersAsync(move, pass).ConfigureAwait(false);
            if (options.SyncDeletes)
                await DeleteAsync(move, sourcePasses.Select(p => p.Pass).ToList(), pass, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // On cancellation or an unexpected failure the writers still have to be closed.
            foreach (var d in move.Destinations)
            {
                if (d.Writer is { } writer)
                {
                    d.AddWriterCounts(writer.Counters);
                    await writer.DisposeAsync().ConfigureAwait(false);
                    d.Writer = null;
                }
            }
            foreach (var token in tokens)
                token.Dispose();
        }
        long changed = 0;
        foreach (var d in move.Destinations)
            changed += d.TakeChanged();
        return new MovePassStatus
        {
            Pass = pass,
            Started = started,
            Changed = changed,
            Copied = move.Destinations.Select((d, i) => d.Copied - before[i].Copied).Sum(),
            Deleted = move.Destinations.Select((d, i) => d.Deleted - before[i].Deleted).Sum(),
            Failed = move.Destinations.Select((d, i) => d.Refused - before[i].Refused).Sum(),
            Duration = clock.Elapsed,
        };
    }

    /// <summary>Waits until every write of the pass is answered; a destination whose connection broke is failed.</summary>
    private static async Task CompleteWritersAsync(MoveContext move, int pass)
    {
        await Task.WhenAll(move.Destinations.Select(async d =>
        {
            if (d.Writer is not { } writer)
                return;
            try
            {
                await writer.CompleteAsync().ConfigureAwait(false);
                if (!d.Failed)
                    d.Passes = pass;
            }
            catch (Exception ex) when (ex is MemcacheException or OperationCanceledException)
            {
                if (ex is MemcacheException)
                    FailDestination(move, d, $"Writing failed in pass {pass}: {ex.Message}");
            }
            finally
            {
                d.AddWriterCounts(writer.Counters);
                await writer.DisposeAsync().ConfigureAwait(false);
                d.Writer = null;
            }
        })).ConfigureAwait(false);
    }

    /// <summary>With -SyncDeletes: deletes on each destination the keys that vanished from the sources this pass.</summary>
    private static async Task DeleteAsync(MoveContext move, List<SourcePass> passes, int pass, CancellationToken cancellationToken)
    {
        await Task.WhenAll(move.Destinations.Select(async d =>
        {
            var keys = passes.SelectMany(p => p.Deletions[d.Index]).ToList();
            if (keys.Count == 0 || d.Failed)
                return;
            move.SetPhase(string.Create(CultureInfo.InvariantCulture, $"pass {pass}: deleting"));
            try
            {
                var (deleted, _, failed, firstFailure) = await DestinationDeleter.DeleteAsync(d.Endpoint, keys, move.Options.BatchSize, move.Options.Window, d.Gate,
                    move.Options.Connection, cancellationToken).ConfigureAwait(false);
                d.AddDeleted(deleted);
                if (failed > 0)
                {
                    d.AddRefused(failed);
                    d.AddNote($"{failed} deletion(s) were refused; first: {firstFailure}");
                }
            }
            catch (MemcacheException ex)
            {
                FailDestination(move, d, $"Deleting failed in pass {pass}: {ex.Message}");
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// One more listing of every source, reading only, right after a pass: counts per destination the keys
    /// whose destination copy is not the source's current version (new, changed, or gone from the source).
    /// </summary>
    private static async Task<long> MeasureResidualAsync(MoveContext move, int pass, CancellationToken cancellationToken)
    {
        move.SetPhase(string.Create(CultureInfo.InvariantCulture, $"pass {pass}: measuring the residual"));
        var listing = move.NextListing();
        var totals = new long[move.Destinations.Length];
        var unknown = move.Sources.Any(s => s.Failed);
        await Task.WhenAll(move.Sources.Where(s => !s.Failed).Select(async source =>
        {
            var counts = new long[totals.Length];
            try
            {
                await KeyListingService.ScanAsync(source.Endpoint, Keys(move.Options), ListingOptions(move.Options), move.Sink, (chunk, _) =>
                {
                    CountDifferences(move, source, chunk.Span, listing, counts);
                    return ValueTask.FromResult(true);
                }, cancellationToken).ConfigureAwait(false);
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                for (var d = 0; d < counts.Length; d++)
                {
                    var destination = d;
                    source.Keys[d].CountVanished(listing, now, _ => counts[destination]++);
                }
                lock (totals)
                {
                    for (var d = 0; d < totals.Length; d++)
                        totals[d] += counts[d];
                }
            }
            catch (MemcacheException ex)
            {
                unknown = true;
                move.Sink.Warning($"The residual could not be measured: listing {source.Endpoint} after pass {pass} failed: {ex.Message}");
            }
        })).ConfigureAwait(false);
        long sum = 0;
        foreach (var d in move.Destinations)
        {
            d.Residual = unknown || d.Failed ? -1 : totals[d.Index];
            if (d.Residual > 0)
                sum += d.Residual;
        }
        return unknown ? -1 : sum;
    }

    private static void CountDifferences(MoveContext move, SourceState source, ReadOnlySpan<byte> lines, int listing, long[] counts)
    {
        Span<byte> key = stackalloc byte[KeyText.MaxDisplayLength];
        var position = 0;
        while (MetadumpLines.TryReadNext(lines, ref position, key, out var entry, out var keyBytes))
        {
            if (!KeyCodec.IsAddressable(keyBytes))
                continue;
            var id = KeyIdentity.Of(keyBytes);
            var d = move.Routing.Route(keyBytes, id, source.Index);
            if (d >= 0 && source.Keys[d].Differs(id, entry.Cas, entry.Expiry, listing))
                counts[d]++;
        }
    }

    /// <summary>Hands a store batch to its destination's writer; a destination that failed drops it, a dying one is failed.</summary>
    internal static async ValueTask SendAsync(MoveContext move, DestinationState destination, StoreBatch store, CancellationToken cancellationToken)
    {
        var writer = destination.Writer;
        if (destination.Failed || writer is null)
        {
            store.Dispose();
            return;
        }
        var items = store.Count;
        var bytes = store.ValueBytes;
        try
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, destination.AbortToken);
            await writer.SendAsync(store, both.Token).ConfigureAwait(false);
            move.Progress.Add(items, bytes);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            store.Dispose(); // the destination was aborted while this batch waited
        }
        catch (Exception ex) when (ex is MemcacheException or ChannelClosedException)
        {
            FailDestination(move, destination, "Writing failed: " + ex.Message);
            store.Dispose();
        }
    }

    internal static void FailDestination(MoveContext move, DestinationState destination, string reason)
    {
        if (destination.Fail(reason))
            move.Sink.Error(new MemcacheException(MemcacheErrorKind.WriteFailed, "MoveDestinationFailed",
                $"Destination {destination.Endpoint} failed: {reason} The other destinations go on; run the move again to complete this one.", destination.Endpoint.ToString()));
    }

    private static void FailSource(MoveContext move, SourceState source, string reason, MemcacheException cause)
    {
        source.Fail(reason);
        move.Sink.Error(new MemcacheException(cause.Kind, "MoveSourceFailed", reason, source.Endpoint.ToString(), cause));
    }

    /// <summary>
    /// Moves list only with <c>metadump hash</c>: it shows every key present for the whole listing exactly
    /// once. The fallbacks miss or repeat keys on a live server, and a missed key would look deleted.
    /// </summary>
    /// <summary>Where the sources' keys come from: their listing unless the user gave keys.</summary>
    internal static KeySource Keys(MoveOptions options) => options.Keys ?? KeySource.Listing;

    internal static ListingOptions ListingOptions(MoveOptions options)
        => options.Listing with { Method = ListingMethod.MetadumpHash, Connection = options.Connection };

    internal static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The operation already finished.
        }
    }

    private static List<MoveResult> Results(MoveContext move, TimeSpan elapsed, List<string> notes, bool interrupted)
    {
        var sourceFailures = move.Sources.Where(s => s.Failed).Select(s => s.Failure!).ToList();
        var results = new List<MoveResult>();
        foreach (var d in move.Destinations)
        {
            var own = new List<string>();
            if (d.Failure is { } failure)
                own.Add("Failed: " + failure + " Counts are what was done before.");
            own.AddRange(sourceFailures);
            own.AddRange(d.Notes);
            if (d.AlreadyPresent > 0)
                own.Add($"{d.AlreadyPresent:N0} item(s) were already on the destination and kept (mode Add); use -Mode Set to overwrite them.");
            if (d.TooLarge > 0)
                own.Add($"{d.TooLarge:N0} item(s) are larger than the destination's item_size_max and were not written (writing them would delete its copy); raise its -I.");
            if (d.Expired > 0)
                own.Add($"{d.Expired:N0} item(s) expired before they could be written.");
            if (d.Missing > 0)
                own.Add($"{d.Missing:N0} key(s) vanished between listing and fetch (deleted, expired or evicted on the source).");
            if (d.Evictions > 0)
                own.Add($"The destination evicted {d.Evictions:N0} item(s) while the move ran: it is short of memory, and evicted items are missing there (the residual cannot count them).");
            if (d.Residual > 0)
                own.Add($"{d.Residual:N0} key(s) changed on the source while the last pass ran; another pass (-Passes) copies them, and -Continuous keeps syncing until cut-over.");
            foreach (var source in move.Sources.Where(s => s.Unaddressable > 0))
                own.Add($"{source.Unaddressable:N0} key(s) on {source.Endpoint} cannot be addressed by memcached's meta protocol (keys with bytes that need base64 and more than {KeyCodec.MaxBinaryKeyLength} bytes, whose base64 form exceeds memcached's 250-byte limit) and were not copied.");
            foreach (var source in move.Sources.Where(s => s.KeysNotFound > 0))
                own.Add($"{source.KeysNotFound:N0} of the given keys ({move.Options.Keys?.Description}) are not on source {source.Endpoint}: nothing to copy for them.");
            if (move.Sources.Any(s => !s.CasEnabled))
                own.Add("A source has CAS disabled (-C): overwrites made during the move cannot be detected, so the residual counts only new and vanished keys.");
            own.AddRange(notes);
            var failed = d.Failed || sourceFailures.Count > 0 || d.Refused > 0 || interrupted;
            results.Add(new MoveResult
            {
                Source = move.SourceText,
                Destination = d.Endpoint.ToString(),
                Status = failed ? MoveStatus.Failed : MoveStatus.Successful,
                Mode = move.Options.Mode,
                Copied = d.Copied,
                Skipped = d.AlreadyPresent + d.TooLarge + d.Expired,
                Failed = d.Refused,
                Deleted = d.Deleted,
                Missing = d.Missing,
                Bytes = d.Bytes,
                Passes = d.Passes,
                Residual = d.Residual,
                Evictions = d.Evictions,
                Duration = elapsed,
                Notes = own,
            });
        }
        return results;
    }

    private static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
