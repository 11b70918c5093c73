using System.Globalization;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>Turns a run's histograms, counters and the server's stats into <see cref="LatencyResult"/>s, limits applied.</summary>
internal static class LatencyReport
{
    public static LatencyResult ForServer(LoadContext context, LatencyTotals totals, LatencyOutcome outcome, ServerStatsDelta? delta, ILatencyHistogramFactory factory)
    {
        var server = totals.Server;
        return BuildResult(context, server.Name, [totals], server.ErrorsByClass(), server.Connections.Sum(c => c.NotSent), server.Connections.Sum(c => c.Verified),
            outcome, delta, [], factory);
    }

    public static LatencyResult ForRun(LoadContext context, List<LatencyResult> perServer, LatencyOutcome outcome, ILatencyHistogramFactory factory)
    {
        if (perServer.Count == 1)
            return perServer[0] with { Servers = perServer };
        var byClass = new long[6];
        foreach (var totals in outcome.Totals)
        {
            var classes = totals.Server.ErrorsByClass();
            for (var c = 0; c < 6; c++)
                byClass[c] += classes[c];
        }
        var name = string.Create(CultureInfo.InvariantCulture, $"all ({perServer.Count} servers)");
        return BuildResult(context, name, outcome.Totals, byClass, perServer.Sum(r => r.NotSent), perServer.Sum(r => r.Verified),
            outcome, perServer.All(r => r.ServerDelta is not null) ? ServerStatsDelta.Sum(perServer.Select(r => r.ServerDelta!)) : null, perServer, factory);
    }

    private static LatencyResult BuildResult(LoadContext context, string name, IReadOnlyList<LatencyTotals> totals, long[] errorClasses, long notSent, long verified,
        LatencyOutcome outcome, ServerStatsDelta? delta, IReadOnlyList<LatencyResult> servers, ILatencyHistogramFactory factory)
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

    public static ServerStatsDelta Delta(ServerStats before, ServerStats after)
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
}
