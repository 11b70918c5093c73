namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>Latency percentiles in milliseconds (HdrHistogram, three significant digits).</summary>
public sealed record LatencyPercentiles
{
    public long Count { get; init; }
    public double P50 { get; init; }
    public double P90 { get; init; }
    public double P99 { get; init; }
    public double P999 { get; init; }
    public double P9999 { get; init; }
    public double Max { get; init; }
    public double Mean { get; init; }

    public static LatencyPercentiles From(ILatencyHistogram histogram) => new()
    {
        Count = histogram.Count,
        P50 = Ms(histogram.ValueAtPercentile(50)),
        P90 = Ms(histogram.ValueAtPercentile(90)),
        P99 = Ms(histogram.ValueAtPercentile(99)),
        P999 = Ms(histogram.ValueAtPercentile(99.9)),
        P9999 = Ms(histogram.ValueAtPercentile(99.99)),
        Max = Ms(histogram.Max),
        Mean = Math.Round(histogram.Mean / 1000.0, 3),
    };

    private static double Ms(long microseconds) => microseconds / 1000.0;

    public override string ToString()
        => FormattableString.Invariant($"p50 {P50:0.###} ms, p90 {P90:0.###}, p99 {P99:0.###}, p99.9 {P999:0.###}, p99.99 {P9999:0.###}, max {Max:0.###} ({Count:N0} requests)");
}

/// <summary>Errors of a run by class.</summary>
public sealed record LatencyErrorCounts
{
    public long Timeout { get; init; }
    public long ClientError { get; init; }
    public long ServerError { get; init; }
    public long Reset { get; init; }
    public long VerifyMismatch { get; init; }
    public long NotStored { get; init; }
    public long Total => Timeout + ClientError + ServerError + Reset + VerifyMismatch + NotStored;

    public static LatencyErrorCounts From(ReadOnlySpan<long> byClass) => new()
    {
        Timeout = byClass[(int)LoadErrorClass.Timeout],
        ClientError = byClass[(int)LoadErrorClass.ClientError],
        ServerError = byClass[(int)LoadErrorClass.ServerError],
        Reset = byClass[(int)LoadErrorClass.Reset],
        VerifyMismatch = byClass[(int)LoadErrorClass.VerifyMismatch],
        NotStored = byClass[(int)LoadErrorClass.NotStored],
    };

    public override string ToString()
        => FormattableString.Invariant($"{Total:N0} (timeout {Timeout:N0}, client {ClientError:N0}, server {ServerError:N0}, reset {Reset:N0}, verify {VerifyMismatch:N0}, not stored {NotStored:N0})");
}

/// <summary>One operation's figures in a run: counts, hits and misses, latency and service time.</summary>
public sealed record LatencyOperationStats
{
    public required string Operation { get; init; }
    public long Count { get; init; }
    public long Hits { get; init; }
    public long Misses { get; init; }
    public required LatencyPercentiles Latency { get; init; }
    public required LatencyPercentiles ServiceTime { get; init; }
    /// <summary>Latency of the reads that found their key (reads, touch and delete only).</summary>
    public LatencyPercentiles? HitLatency { get; init; }
    /// <summary>Latency of the reads that did not.</summary>
    public LatencyPercentiles? MissLatency { get; init; }

    public override string ToString()
        => FormattableString.Invariant($"{Operation} {Count:N0} (hits {Hits:N0}, misses {Misses:N0}): p50 {Latency.P50:0.###} ms, p99 {Latency.P99:0.###}, max {Latency.Max:0.###}");
}

/// <summary>What the server itself counted during the measured phase (stats before and after), beside the client's figures.</summary>
public sealed record ServerStatsDelta
{
    public long Gets { get; init; }
    public long Hits { get; init; }
    public long Misses { get; init; }
    public long Sets { get; init; }
    public long Evictions { get; init; }
    public long ConnectionsBefore { get; init; }
    public long ConnectionsAfter { get; init; }
    public long NewConnections { get; init; }
    public long RejectedConnections { get; init; }
    /// <summary>Times the server stopped accepting connections because it hit its connection limit (listen_disabled_num).</summary>
    public long ListenDisabled { get; init; }

    public override string ToString()
        => FormattableString.Invariant($"gets {Gets:N0}, hits {Hits:N0}, misses {Misses:N0}, sets {Sets:N0}, evictions {Evictions:N0}, connections {ConnectionsBefore}->{ConnectionsAfter} ({NewConnections} new, {RejectedConnections} rejected), listen_disabled {ListenDisabled}");

    public static ServerStatsDelta Sum(IEnumerable<ServerStatsDelta> deltas)
    {
        var all = deltas.ToList();
        return new ServerStatsDelta
        {
            Gets = all.Sum(d => d.Gets),
            Hits = all.Sum(d => d.Hits),
            Misses = all.Sum(d => d.Misses),
            Sets = all.Sum(d => d.Sets),
            Evictions = all.Sum(d => d.Evictions),
            ConnectionsBefore = all.Sum(d => d.ConnectionsBefore),
            ConnectionsAfter = all.Sum(d => d.ConnectionsAfter),
            NewConnections = all.Sum(d => d.NewConnections),
            RejectedConnections = all.Sum(d => d.RejectedConnections),
            ListenDisabled = all.Sum(d => d.ListenDisabled),
        };
    }
}

/// <summary>
/// The result of a latency run: for one server, or for all of them (the object a run emits, whose
/// <see cref="Servers"/> holds one result per server). <see cref="Passed"/> says whether every threshold held.
/// </summary>
public sealed record LatencyResult
{
    /// <summary>The server (host:port), or "all (N servers)" for the aggregate of a pool.</summary>
    public required string Server { get; init; }

    /// <summary>OpenLoop (requests on a schedule) or ClosedLoop (full speed).</summary>
    public required string Mode { get; init; }

    public bool Passed { get; init; }

    /// <summary>Why <see cref="Passed"/> is false, one line per failed threshold or problem.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>Requests per second scheduled (0 in closed loop).</summary>
    public double TargetRate { get; init; }

    /// <summary>Requests per second answered without error over the measured duration.</summary>
    public double AchievedRate { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Requests answered without error.</summary>
    public long Requests { get; init; }

    /// <summary>Requests that were due but never sent (a connection was down, or every pipeline slot was taken until the end).</summary>
    public long NotSent { get; init; }

    public long Errors => ErrorCounts.Total;

    /// <summary>Errors as a fraction of requests answered plus errors.</summary>
    public double ErrorRate => Requests + Errors == 0 ? 0 : Math.Round((double)Errors / (Requests + Errors), 6);

    public required LatencyErrorCounts ErrorCounts { get; init; }

    public long Hits { get; init; }
    public long Misses { get; init; }

    /// <summary>Hits of the reads (get, mg); null when the mix has no reads.</summary>
    public double? HitRatio => Hits + Misses == 0 ? null : Math.Round((double)Hits / (Hits + Misses), 4);

    /// <summary>Reads whose value was checked against what was written (-VerifyPercent).</summary>
    public long Verified { get; init; }

    /// <summary>Latency from each request's scheduled send time to its reply: a server stall counts for every request it delays (coordinated omission corrected).</summary>
    public required LatencyPercentiles Latency { get; init; }

    /// <summary>Latency from the actual send to the reply, the figure a closed-loop tool reports.</summary>
    public required LatencyPercentiles ServiceTime { get; init; }

    public IReadOnlyList<LatencyOperationStats> ByOperation { get; init; } = [];

    /// <summary>The server's own counters over the measured phase.</summary>
    public ServerStatsDelta? ServerDelta { get; init; }

    /// <summary>CPU time of this process per request answered, in microseconds: the load generator's own cost.</summary>
    public double? ClientCpuMicrosecondsPerRequest { get; init; }

    public int Connections { get; init; }
    public int Pipeline { get; init; }
    public string Mix { get; init; } = string.Empty;
    public int KeyCount { get; init; }
    public string KeyDistribution { get; init; } = string.Empty;
    public string ValueSize { get; init; } = string.Empty;
    public string KeyPrefix { get; init; } = string.Empty;

    /// <summary>Per-server results of a run (empty on a per-server result).</summary>
    public IReadOnlyList<LatencyResult> Servers { get; init; } = [];

    public override string ToString()
        => FormattableString.Invariant($"{Server}: {AchievedRate:N0}/s, p99 {Latency.P99:0.###} ms, {Errors:N0} errors, {(Passed ? "passed" : "failed")}");
}

/// <summary>One interval of a run (-IntervalSeconds), for one server or (Server "all") for all of them.</summary>
public sealed record LatencyInterval
{
    public required string Server { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    /// <summary>Time since the measured phase started, at the interval's end.</summary>
    public TimeSpan Elapsed { get; init; }
    public double Rate { get; init; }
    public long Requests { get; init; }
    public long Errors { get; init; }
    public long Hits { get; init; }
    public long Misses { get; init; }
    public double P50 { get; init; }
    public double P99 { get; init; }
    public double P999 { get; init; }
    public double Max { get; init; }
}
