using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// The measured phase's clock: every interval (or second) it collects the recorders, emits the intervals, writes the
/// .hlog, reports progress and watches for an error storm.
/// </summary>
internal static class LatencyMonitor
{
    /// <summary>An error storm: more than half the requests failed, at least this many in a second, for two seconds.</summary>
    private const int StormErrorsPerSecond = 100;
    private static readonly TimeSpan StormLength = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DownLimit = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Every interval (or second): collects the recorders, emits intervals, writes the .hlog, reports progress, and
    /// watches for an error storm. Returns when the schedule is over, or the reason to abort.
    /// </summary>
    public static async Task<string?> RunAsync(LoadContext context, List<LoadServer> servers, LatencyTotals[] totals, ILatencyLogWriter? log,
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
                Activity = "Latency",
                Phase = context.OpenLoop ? "open loop" : "closed loop",
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
        var counts = LatencyErrorCounts.From(server.ErrorsByClass());
        return string.Create(CultureInfo.InvariantCulture,
            $"Stopped after {elapsed.TotalSeconds:0.0} s: {server.Name} is failing ({what}; errors so far {counts}). The figures are partial. Check that the server is up and not overloaded, or lower -TargetRate.");
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
}
