using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// Measure-MemcacheLatency / <c>memcacheops latency</c>: prefills its own keys, sends a workload on a schedule (open
/// loop) or at full speed (closed loop), records every latency, compares with the server's own counters, deletes its
/// keys and emits one <see cref="LatencyResult"/> (with one result per server inside), plus a
/// <see cref="LatencyInterval"/> per server and interval when asked.
/// </summary>
public static class LatencyService
{
    /// <summary>An error storm: more than half the requests failed, at least this many in a second, for two seconds.</summary>
    private const int StormErrorsPerSecond = 100;
    private static readonly TimeSpan StormLength = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DownLimit = TimeSpan.FromSeconds(3);

    public static async Task<LatencyResult> RunAsync(LatencyOptions options, ILatencyHistogramFactory histograms, IOperationSink sink, CancellationToken cancellationToken)
    {
        options.Validate();
        var seed = options.Seed ?? (ulong)Random.Shared.NextInt64();
        var prefix = string.Create(CultureInfo.InvariantCulture, $"mcl:{(uint)(seed >> 16):x8}:");
        var context = new LoadContext(options, seed, prefix);
        var servers = options.Servers.Select(e => new LoadServer(e, context, histograms)).ToList();
        foreach (var server in servers)
            server.OnWarning = sink.Warning;

        var controls = new List<MemcachedConnection>();
        ILatencyLogWriter? log = null;
        FileStream? logFile = null;
        var prefilled = false;
        try
        {
            // Control connections first: a server that cannot be reached means the run cannot happen (exit 2).
            foreach (var server in servers)
                controls.Add(await MemcachedConnection.OpenAsync(server.Endpoint, options.Connection, cancellationToken).ConfigureAwait(false));

            sink.Verbose($"Key prefix {prefix}; prefilling {options.KeyCount:N0} keys per server ({options.ValueSize} bytes, TTL {options.EffectiveTimeToLive} s).");
            sink.Progress(new ProgressSnapshot { Activity = "Measuring latency", Phase = "prefilling keys", TotalItems = options.KeyCount });
            prefilled = true;
            await Task.WhenAll(servers.Select(s => KeyBatches.PrefillAsync(context, s, cancellationToken))).ConfigureAwait(false);

            var before = await ReadStatsAsync(servers, controls, cancellationToken).ConfigureAwait(false);
            if (options.HistogramPath is { } path)
            {
                logFile = OpenLog(path);
                log = histograms.CreateLogWriter(logFile, DateTimeOffset.UtcNow);
            }

            var outcome = await MeasureAsync(context, servers, histograms, log, sink, cancellationToken).ConfigureAwait(false);
            var after = await ReadStatsAfterAsync(servers, controls, sink, cancellationToken).ConfigureAwait(false);

            var perServer = outcome.Totals.Select((t, i) => BuildServerResult(context, t, outcome, after[i] is { } a ? Delta(before[i], a) : null, histograms)).ToList();
            var result = Aggregate(context, perServer, outcome, histograms);
            await sink.EmitAsync(result, cancellationToken).ConfigureAwait(false);
            if (outcome.AbortReason is { } reason)
                throw new MemcacheException(MemcacheErrorKind.ServerError, "LatencyErrorStorm", reason, string.Join(", ", servers.Select(s => s.Name)));
            return result;
        }
        finally
        {
            log?.Dispose();
            if (logFile is not null)
                await logFile.DisposeAsync().ConfigureAwait(false);
            foreach (var control in controls)
                control.Dispose();
            if (prefilled)
                await CleanUpAsync(context, servers, sink).ConfigureAwait(false);
            sink.Progress(new ProgressSnapshot { Activity = "Measuring latency", Phase = "done", Completed = true });
        }
    }

    private sealed class Outcome
    {
        public required LatencyTotals[] Totals { get; init; }
        public TimeSpan Measured { get; set; }
        public double? CpuMicrosecondsPerRequest { get; set; }
        public string? AbortReason { get; set; }
    }

    private static async Task<Outcome> MeasureAsync(LoadContext context, List<LoadServer> servers, ILatencyHistogramFactory histograms, ILatencyLogWriter? log, IOperationSink sink, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var total = servers.Count * options.Connections;
        var n = 0;
        foreach (var server in servers)
            server.Connections = Enumerable.Range(0, options.Connections).Select(i => new LoadConnection(context, server, i, total, n++)).ToArray();
        var connections = servers.SelectMany(s => s.Connections).ToArray();
        var totals = servers.Select(s => new LatencyTotals(s, histograms)).ToArray();
        var outcome = new Outcome { Totals = totals };

        using var readers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = connections.Select(c => Task.Run(() => c.RunAsync(readers.Token), CancellationToken.None)).ToArray();
        Thread? pacer = null;
        var pacerStop = 0;
        try
        {
            await WaitConnectedAsync(servers, connections, options.Connection.ConnectTimeout, cancellationToken).ConfigureAwait(false);

            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            context.StartTicks = start;
            context.EndTicks = start + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
            foreach (var connection in connections)
                connection.StartSchedule(start);
            var startTime = DateTimeOffset.UtcNow;
            context.Started.TrySetResult();

            pacer = new Thread(() => Pace(context, connections, ref pacerStop)) { IsBackground = true, Name = "MemcacheOps latency pacer", Priority = ThreadPriority.AboveNormal };
            pacer.Start();

            outcome.AbortReason = await MonitorAsync(context, servers, totals, log, startTime, sink, cancellationToken).ConfigureAwait(false);
            context.Stopping = true;

            // Let the requests in flight come back (each within the timeout), then stop the readers.
            var drain = Stopwatch.StartNew();
            while (connections.Any(c => c.IsUp && c.InFlight > 0) && drain.Elapsed < options.Connection.ReadTimeout && outcome.AbortReason is null)
                await Task.Delay(2, cancellationToken).ConfigureAwait(false);
            var end = Stopwatch.GetTimestamp();
            outcome.Measured = context.OpenLoop && outcome.AbortReason is null
                ? options.Duration
                : TimeSpan.FromSeconds((end - start) / (double)Stopwatch.Frequency);
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds;
            Volatile.Write(ref pacerStop, 1);
            pacer.Join();
            foreach (var connection in connections)
                connection.FinishSchedule();
            await readers.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(tasks).ConfigureAwait(false);
            foreach (var t in totals)
                t.Collect();
            // The replies that came after the last interval: the log holds every request of the run.
            var tailEnd = DateTimeOffset.UtcNow;
            for (var i = 0; i < totals.Length && log is not null; i++)
            {
                if (totals[i].Interval.Count > 0)
                    log.Write(totals[i].Interval, context.LastIntervalEnd, tailEnd, servers[i].Name);
            }
            var answered = totals.Sum(t => t.Counters().Requests);
            outcome.CpuMicrosecondsPerRequest = answered > 0 ? Math.Round(cpu / answered, 2) : null;
            return outcome;
        }
        finally
        {
            context.Stopping = true;
            Volatile.Write(ref pacerStop, 1);
            pacer?.Join();
            await readers.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            foreach (var connection in connections)
                connection.Dispose();
        }
    }

    /// <summary>Every connection must connect before the clock starts; one that cannot means the run cannot happen.</summary>
    private static async Task WaitConnectedAsync(List<LoadServer> servers, LoadConnection[] connections, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (!connections.All(c => c.IsUp))
        {
            if (waited.Elapsed > connectTimeout + TimeSpan.FromSeconds(1))
            {
                var missing = servers.Where(s => s.Connections.Any(c => !c.IsUp)).Select(s => $"{s.Name} ({s.Connections.Count(c => c.IsUp)} of {s.Connections.Length} connected)");
                throw new MemcacheException(MemcacheErrorKind.ConnectionFailed, "LatencyConnectFailed",
                    $"Could not open every load connection within {connectTimeout.TotalSeconds:0.#} s: {string.Join(", ", missing)}. Check the server's connection limit (-c) or lower -Connections.",
                    string.Join(", ", servers.Select(s => s.Name)));
            }
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The pacer thread: about every millisecond, sends what is due on every connection (open loop) and closes
    /// connections whose oldest request has waited past the timeout. A dedicated thread, because a timer on the
    /// thread pool fires late whenever the pool is busy, and every late send would count as server latency.
    /// </summary>
    private static void Pace(LoadContext context, LoadConnection[] connections, ref int stop)
    {
        while (Volatile.Read(ref stop) == 0)
        {
            var now = Stopwatch.GetTimestamp();
            if (context.OpenLoop && now < context.EndTicks + Stopwatch.Frequency / 100)
            {
                foreach (var connection in connections)
                    connection.Pace(now);
            }
            foreach (var connection in connections)
                connection.CheckTimeout(now);
            Thread.Sleep(context.OpenLoop ? 1 : 10);
        }
    }

    /// <summary>
    /// Every interval (or second): collects the recorders, emits intervals, writes the .hlog, reports progress, and
    /// watches for an error storm. Returns when the schedule is over, or the reason to abort.
    /// </summary>
    private static async Task<string?> MonitorAsync(LoadContext context, List<LoadServer> servers, LatencyTotals[] totals, ILatencyLogWriter? log,
        DateTimeOffset startTime, IOperationSink sink, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var tick = options.Interval ?? TimeSpan.FromSeconds(1);
        var tickTicks = (long)(tick.TotalSeconds * Stopwatch.Frequency);
        var last = new (long Requests, long Hits, long Misses, long Errors)[servers.Count];
        var stormSince = new long[servers.Count];
        var allInterval = options.Interval is not null && servers.Count > 1 ? totals[0].Interval : null;
        var next = context.StartTicks + tickTicks;
        var intervalStart = startTime;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            var wake = Math.Min(next, context.EndTicks);
            if (wake > now)
                await Task.Delay(TimeSpan.FromSeconds((wake - now) / (double)Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
            now = Stopwatch.GetTimestamp();
            var finished = now >= context.EndTicks;
            if (now < next && !finished)
                continue;
            next += tickTicks;
            var intervalEnd = DateTimeOffset.UtcNow;
            var elapsed = TimeSpan.FromSeconds((now - context.StartTicks) / (double)Stopwatch.Frequency);
            var seconds = Math.Max(1e-3, (intervalEnd - intervalStart).TotalSeconds);
            var intervals = new List<LatencyInterval>();
            long allRequests = 0;
            string? abort = null;
            for (var i = 0; i < servers.Count; i++)
            {
                totals[i].Collect();
                var counters = totals[i].Counters();
                var requests = counters.Requests - last[i].Requests;
                var errors = counters.Errors - last[i].Errors;
                allRequests += counters.Requests;
                if (options.Interval is not null)
                    intervals.Add(Interval(servers[i].Name, intervalEnd, elapsed, seconds, totals[i].Interval, requests, errors, counters.Hits - last[i].Hits, counters.Misses - last[i].Misses));
                log?.Write(totals[i].Interval, intervalStart, intervalEnd, servers[i].Name);

                // Error storm: most requests failing, many of them, for a while; or no connection up for a while.
                if (errors >= StormErrorsPerSecond * seconds && errors > requests)
                {
                    if (stormSince[i] == 0)
                        stormSince[i] = now;
                    else if (now - stormSince[i] >= (long)(StormLength.TotalSeconds * Stopwatch.Frequency) - tickTicks / 2)
                        abort ??= Storm(servers[i], elapsed, $"{errors:N0} of {errors + requests:N0} requests failed in the last {seconds:0.#} s");
                }
                else
                {
                    stormSince[i] = 0;
                }
                var connections = servers[i].Connections;
                if (connections.All(c => !c.IsUp && c.DownSince != 0 && now - c.DownSince >= (long)(DownLimit.TotalSeconds * Stopwatch.Frequency)))
                    abort ??= Storm(servers[i], elapsed, $"none of its {connections.Length} connections could be reopened for {DownLimit.TotalSeconds:0} s");
                last[i] = counters;
            }
            if (allInterval is not null)
            {
                // The first server's interval histogram becomes the sum (after it was logged and reported).
                for (var i = 1; i < totals.Length; i++)
                    totals[0].Interval.Add(totals[i].Interval);
                var all = Interval("all", intervalEnd, elapsed, seconds, totals[0].Interval,
                    intervals.Sum(x => x.Requests), intervals.Sum(x => x.Errors), intervals.Sum(x => x.Hits), intervals.Sum(x => x.Misses));
                intervals.Add(all);
            }
            foreach (var t in totals)
                t.Interval.Reset();
            foreach (var interval in intervals)
                await sink.EmitAsync(interval, cancellationToken).ConfigureAwait(false);
            intervalStart = intervalEnd;
            context.LastIntervalEnd = intervalEnd;
            var expected = context.OpenLoop ? (long?)(options.TargetRate * options.Duration.TotalSeconds) : null;
            sink.Progress(new ProgressSnapshot
            {
                Activity = "Measuring latency",
                Phase = context.OpenLoop ? string.Create(CultureInfo.InvariantCulture, $"open loop at {options.TargetRate:N0} requests/s") : "closed loop",
                Items = allRequests,
                TotalItems = expected,
                Elapsed = elapsed,
                ItemsPerSecond = elapsed.TotalSeconds > 0 ? allRequests / elapsed.TotalSeconds : 0,
            });
            if (abort is not null)
                return abort;
            if (finished)
                return null;
        }
    }

    private static string Storm(LoadServer server, TimeSpan elapsed, string what)
    {
        var counts = LatencyErrorCounts.From(ErrorClasses(server));
        return string.Create(CultureInfo.InvariantCulture,
            $"Stopped after {elapsed.TotalSeconds:0.0} s: {server.Name} is failing ({what}; errors so far {counts}). The figures are partial. Check that the server is up and not overloaded, or lower -TargetRate.");
    }

    private static long[] ErrorClasses(LoadServer server)
    {
        var byClass = new long[6];
        foreach (var connection in server.Connections)
        {
            for (var c = 0; c < byClass.Length; c++)
                byClass[c] += connection.ErrorCount((LoadErrorClass)c);
        }
        return byClass;
    }

    private static LatencyInterval Interval(string server, DateTimeOffset at, TimeSpan elapsed, double seconds, ILatencyHistogram latency, long requests, long errors, long hits, long misses) => new()
    {
        Server = server,
        Timestamp = at,
        Elapsed = elapsed,
        Rate = Math.Round(requests / seconds, 1),
        Requests = requests,
        Errors = errors,
        Hits = hits,
        Misses = misses,
        P50 = latency.ValueAtPercentile(50) / 1000.0,
        P99 = latency.ValueAtPercentile(99) / 1000.0,
        P999 = latency.ValueAtPercentile(99.9) / 1000.0,
        Max = latency.Max / 1000.0,
    };

    private static LatencyResult BuildServerResult(LoadContext context, LatencyTotals totals, Outcome outcome, ServerStatsDelta? delta, ILatencyHistogramFactory factory)
    {
        var server = totals.Server;
        return BuildResult(context, server.Name, [totals], ErrorClasses(server), server.Connections.Sum(c => c.NotSent), server.Connections.Sum(c => c.Verified),
            outcome, delta, [], factory);
    }

    private static LatencyResult Aggregate(LoadContext context, List<LatencyResult> perServer, Outcome outcome, ILatencyHistogramFactory factory)
    {
        if (perServer.Count == 1)
            return perServer[0] with { Servers = perServer };
        var byClass = new long[6];
        foreach (var totals in outcome.Totals)
        {
            var classes = ErrorClasses(totals.Server);
            for (var c = 0; c < 6; c++)
                byClass[c] += classes[c];
        }
        var name = string.Create(CultureInfo.InvariantCulture, $"all ({perServer.Count} servers)");
        return BuildResult(context, name, outcome.Totals, byClass, perServer.Sum(r => r.NotSent), perServer.Sum(r => r.Verified),
            outcome, perServer.All(r => r.ServerDelta is not null) ? ServerStatsDelta.Sum(perServer.Select(r => r.ServerDelta!)) : null, perServer, factory);
    }

    private static LatencyResult BuildResult(LoadContext context, string name, IReadOnlyList<LatencyTotals> totals, long[] errorClasses, long notSent, long verified,
        Outcome outcome, ServerStatsDelta? delta, IReadOnlyList<LatencyResult> servers, ILatencyHistogramFactory factory)
    {
        var options = context.Options;
        var latency = Merge(factory, totals.SelectMany(t => t.Latency));
        var service = Merge(factory, totals.SelectMany(t => t.Service));
        var byOperation = new List<LatencyOperationStats>();
        long requests = 0, hits = 0, misses = 0;
        foreach (var (operation, _) in options.Mix.Weights)
        {
            var slots = LoadServer.Outcomes(operation).Select(o => LoadServer.Slot(operation, o)).ToList();
            var counts = slots.ToDictionary(s => s, s => totals.Sum(t => t.Server.Connections.Sum(c => c.Count(s))));
            var opHits = LoadOperations.IsStore(operation) ? 0 : counts[LoadServer.Slot(operation, LoadOutcome.Hit)];
            var opMisses = LoadOperations.IsStore(operation) ? 0 : counts[LoadServer.Slot(operation, LoadOutcome.Miss)];
            requests += counts.Values.Sum();
            if (LoadOperations.IsRead(operation))
            {
                hits += opHits;
                misses += opMisses;
            }
            byOperation.Add(new LatencyOperationStats
            {
                Operation = LoadOperations.Name(operation),
                Count = counts.Values.Sum(),
                Hits = opHits,
                Misses = opMisses,
                Latency = LatencyPercentiles.From(Merge(factory, totals.SelectMany(t => slots.Select(s => t.Latency[s])))),
                ServiceTime = LatencyPercentiles.From(Merge(factory, totals.SelectMany(t => slots.Select(s => t.Service[s])))),
                HitLatency = LoadOperations.IsStore(operation) ? null : LatencyPercentiles.From(Merge(factory, totals.Select(t => t.Latency[LoadServer.Slot(operation, LoadOutcome.Hit)]))),
                MissLatency = LoadOperations.IsStore(operation) ? null : LatencyPercentiles.From(Merge(factory, totals.Select(t => t.Latency[LoadServer.Slot(operation, LoadOutcome.Miss)]))),
            });
        }
        var seconds = Math.Max(1e-3, outcome.Measured.TotalSeconds);
        var result = new LatencyResult
        {
            Server = name,
            Mode = context.OpenLoop ? "OpenLoop" : "ClosedLoop",
            TargetRate = options.TargetRate,
            AchievedRate = Math.Round(requests / seconds, 1),
            Duration = outcome.Measured,
            Requests = requests,
            NotSent = notSent,
            ErrorCounts = LatencyErrorCounts.From(errorClasses),
            Hits = hits,
            Misses = misses,
            Verified = verified,
            Latency = LatencyPercentiles.From(latency),
            ServiceTime = LatencyPercentiles.From(service),
            ByOperation = byOperation,
            ServerDelta = delta,
            ClientCpuMicrosecondsPerRequest = outcome.CpuMicrosecondsPerRequest,
            Connections = options.Connections,
            Pipeline = options.Pipeline,
            Mix = options.Mix.Text,
            KeyCount = options.KeyCount,
            KeyDistribution = options.KeyDistribution.ToString(),
            ValueSize = options.ValueSize.Text,
            KeyPrefix = context.KeyPrefix,
            Servers = servers,
        };
        var failures = LatencyThresholds.Check(options, result, isAggregate: servers.Count > 0 || options.Servers.Count == 1, outcome.AbortReason);
        failures.InsertRange(0, servers.SelectMany(s => s.Failures));
        return result with { Passed = failures.Count == 0, Failures = failures.Distinct().ToList() };
    }

    /// <summary>A new histogram holding the counts of all <paramref name="histograms"/> (missing ones skipped).</summary>
    private static ILatencyHistogram Merge(ILatencyHistogramFactory factory, IEnumerable<ILatencyHistogram?> histograms)
    {
        var merged = factory.CreateHistogram();
        foreach (var histogram in histograms)
        {
            if (histogram is not null)
                merged.Add(histogram);
        }
        return merged;
    }

    private static async Task<List<ServerStats>> ReadStatsAsync(List<LoadServer> servers, List<MemcachedConnection> controls, CancellationToken cancellationToken)
    {
        var stats = new List<ServerStats>(servers.Count);
        for (var i = 0; i < servers.Count; i++)
        {
            var pairs = await StatsReader.ReadAsync(controls[i], StatsGroup.General, cancellationToken).ConfigureAwait(false);
            stats.Add(ServerStats.FromPairs(servers[i].Name, pairs, DateTimeOffset.UtcNow));
        }
        return stats;
    }

    /// <summary>The stats after the run; a server that died during it has none (its delta is null) and a warning says so.</summary>
    private static async Task<List<ServerStats?>> ReadStatsAfterAsync(List<LoadServer> servers, List<MemcachedConnection> controls, IOperationSink sink, CancellationToken cancellationToken)
    {
        var stats = new List<ServerStats?>(servers.Count);
        for (var i = 0; i < servers.Count; i++)
        {
            try
            {
                var pairs = await StatsReader.ReadAsync(controls[i], StatsGroup.General, cancellationToken).ConfigureAwait(false);
                stats.Add(ServerStats.FromPairs(servers[i].Name, pairs, DateTimeOffset.UtcNow));
            }
            catch (MemcacheException ex)
            {
                sink.Warning($"The server's own counters after the run could not be read from {servers[i].Name}: {ex.Message}");
                stats.Add(null);
            }
        }
        return stats;
    }

    private static ServerStatsDelta Delta(ServerStats before, ServerStats after)
    {
        static long Raw(ServerStats s, string name) => s.Raw.TryGetValue(name, out var v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new ServerStatsDelta
        {
            Gets = after.CmdGet - before.CmdGet,
            Hits = after.GetHits - before.GetHits,
            Misses = after.GetMisses - before.GetMisses,
            Sets = after.CmdSet - before.CmdSet,
            Evictions = after.Evictions - before.Evictions,
            ConnectionsBefore = before.CurrentConnections,
            ConnectionsAfter = after.CurrentConnections,
            NewConnections = after.TotalConnections - before.TotalConnections,
            RejectedConnections = after.RejectedConnections - before.RejectedConnections,
            ListenDisabled = Raw(after, "listen_disabled_num") - Raw(before, "listen_disabled_num"),
        };
    }

    private static FileStream OpenLog(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            if (Path.GetDirectoryName(full) is { Length: > 0 } directory)
                Directory.CreateDirectory(directory);
            return new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new MemcacheException(MemcacheErrorKind.WriteFailed, "LatencyHistogramPathFailed",
                $"Cannot write the histogram log {path}: {ex.Message}. Give a path in a writable folder.", path, ex);
        }
    }

    /// <summary>Deletes the run's keys, even after a failure or Ctrl+C, within a bounded time.</summary>
    private static async Task CleanUpAsync(LoadContext context, List<LoadServer> servers, IOperationSink sink)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(10, context.Options.KeyCount / 50_000.0)));
        foreach (var server in servers)
        {
            try
            {
                await KeyBatches.DeleteAsync(context, server, limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MemcacheException or OperationCanceledException)
            {
                sink.Warning($"The run's keys ({context.KeyPrefix}*) could not all be deleted from {server.Name}: {ex.Message} They expire after {context.Options.EffectiveTimeToLive} s.");
            }
        }
    }
}
