namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// One server's histograms over the whole run (per operation and outcome, latency and service time) and over the
/// current interval, filled from the recorders by the run's monitor.
/// </summary>
internal sealed class LatencyTotals
{
    private readonly LoadServer _server;
    private readonly ILatencyHistogram _scratch;

    public LatencyTotals(LoadServer server, ILatencyHistogramFactory factory)
    {
        _server = server;
        _scratch = factory.CreateHistogram();
        Interval = factory.CreateHistogram();
        Latency = new ILatencyHistogram?[server.Latency.Length];
        Service = new ILatencyHistogram?[server.Service.Length];
        for (var i = 0; i < Latency.Length; i++)
        {
            if (server.Latency[i] is null)
                continue;
            Latency[i] = factory.CreateHistogram();
            Service[i] = factory.CreateHistogram();
        }
    }

    public LoadServer Server => _server;

    public ILatencyHistogram?[] Latency { get; }
    public ILatencyHistogram?[] Service { get; }

    /// <summary>Latency of every request answered in the interval being collected.</summary>
    public ILatencyHistogram Interval { get; }

    /// <summary>Moves what the recorders hold into the totals and into <see cref="Interval"/> (not reset here).</summary>
    public void Collect()
    {
        for (var i = 0; i < Latency.Length; i++)
        {
            if (_server.Latency[i] is not { } latency)
                continue;
            _scratch.Reset();
            latency.TakeInterval(_scratch);
            Latency[i]!.Add(_scratch);
            Interval.Add(_scratch);
            _server.Service[i]!.TakeInterval(Service[i]!);
        }
    }

    /// <summary>Counters of the server's connections, summed.</summary>
    public (long Requests, long Hits, long Misses, long Errors) Counters()
    {
        long requests = 0, hits = 0, misses = 0, errors = 0;
        foreach (var connection in _server.Connections)
        {
            for (var slot = 0; slot < Latency.Length; slot++)
            {
                if (Latency[slot] is null)
                    continue;
                var n = connection.Count(slot);
                requests += n;
                var operation = (LoadOperation)(slot / 3);
                if (!LoadOperations.IsRead(operation))
                    continue;
                if ((LoadOutcome)(slot % 3) == LoadOutcome.Hit)
                    hits += n;
                else if ((LoadOutcome)(slot % 3) == LoadOutcome.Miss)
                    misses += n;
            }
            for (var c = 0; c < 6; c++)
                errors += connection.ErrorCount((LoadErrorClass)c);
        }
        return (requests, hits, misses, errors);
    }
}
