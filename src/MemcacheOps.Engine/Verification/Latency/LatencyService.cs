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

    public static async Task<LatencyResult> RunAsync(LatencyOptions options, ILatencyHistogramFactory histograms, IOperationSink sink, CancellationToken cancellationToken)
    {
        options.Validate();
        var seed = options.Seed ?? (ulong)Random.Shared.NextInt64();
        var prefix = string.Create(CultureInfo.InvariantCulture, $"memcacheops-latency:{(uint)(seed >> 16):x8}:");
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
            sink.Progress(new ProgressSnapshot { Activity = "Latency", Phase = "prefill", TotalItems = options.KeyCount });
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

            var perServer = outcome.Totals.Select((t, i) => LatencyReport.ForServer(context, t, outcome, after[i] is { } a ? LatencyReport.Delta(before[i], a) : null, histograms)).ToList();
            var result = LatencyReport.ForRun(context, perServer, outcome, histograms);
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
        }
    }

    private static async Task<LatencyOutcome> MeasureAsync(LoadContext context, List<LoadServer> servers, ILatencyHistogramFactory histograms, ILatencyLogWriter? log, IOperationSink sink, CancellationToken cancellationToken)
    {
        var options = context.Options;
        var total = servers.Count * options.Connections;
        var n = 0;
        foreach (var server in servers)
            server.Connections = Enumerable.Range(0, options.Connections).Select(i => new LoadConnection(context, server, i, total, n++)).ToArray();
        var connections = servers.SelectMany(s => s.Connections).ToArray();
        var totals = servers.Select(s => new LatencyTotals(s, histograms)).ToArray();
        var outcome = new LatencyOutcome { Totals = totals };

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

            outcome.AbortReason = await LatencyMonitor.RunAsync(context, servers, totals, log, startTime, sink, cancellationToken).ConfigureAwait(false);
            context.Stopping = true;

            // Let the last scheduled requests go out and every request in flight come back (each within the
            // timeout), then stop the readers.
            var drain = Stopwatch.StartNew();
            while (connections.Any(c => c.IsUp && (c.InFlight > 0 || !c.ScheduleDone)) && drain.Elapsed < options.Connection.ReadTimeout && outcome.AbortReason is null)
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
            if (context.OpenLoop)
            {
                foreach (var connection in connections)
                    connection.Pace(now);
            }
            foreach (var connection in connections)
                connection.CheckTimeout(now);
            Thread.Sleep(context.OpenLoop ? 1 : 10);
        }
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
