using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>What Measure-MemcacheLatency and <c>memcacheops latency</c> run; the cmdlet's parameters and the CLI's options map here.</summary>
public sealed record LatencyOptions
{
    public const int MaxKeyCount = 10_000_000;

    public required IReadOnlyList<ServerEndpoint> Servers { get; init; }

    /// <summary>Requests per second in total, spread evenly over the servers and their connections (open loop). 0 runs closed loop at full speed.</summary>
    public double TargetRate { get; init; } = 1000;

    /// <summary>How long requests are scheduled (open loop) or sent (closed loop). Prefill and clean-up are not counted.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections per server.</summary>
    public int Connections { get; init; } = 4;

    /// <summary>Requests one connection may have awaiting replies (open loop), or keeps in flight (closed loop).</summary>
    public int Pipeline { get; init; } = 32;

    public OperationMix Mix { get; init; } = OperationMix.Default;

    /// <summary>Keys per server, all written by the prefill before the measured phase.</summary>
    public int KeyCount { get; init; } = 10_000;

    public KeyDistribution KeyDistribution { get; init; } = KeyDistribution.Uniform;

    public ValueSizeSpec ValueSize { get; init; } = ValueSizeSpec.Default;

    /// <summary>TTL in seconds of every key the run writes; null means the run's duration plus 10 minutes, so keys left by a killed run expire.</summary>
    public int? TimeToLive { get; init; }

    /// <summary>Percent (0-100) of the reads whose value is checked against what was written.</summary>
    public double VerifyPercent { get; init; } = 1;

    /// <summary>Emit a <see cref="LatencyInterval"/> per server (and one for all, with several servers) every this often.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Write every interval's histogram (one per server) to this HdrHistogram log (.hlog).</summary>
    public string? HistogramPath { get; init; }

    /// <summary>Fail (Passed = false) when the p99 latency, of any server or of all, is above this.</summary>
    public double? MaxP99Milliseconds { get; init; }

    /// <summary>Fail when the achieved rate of all servers together is below this (requests per second).</summary>
    public double? MinRate { get; init; }

    /// <summary>Fail when errors are more than this fraction (0-1) of the requests, of any server or of all.</summary>
    public double? MaxErrorRate { get; init; }

    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;

    /// <summary>Seed of the run's random choices and values; random when null.</summary>
    public ulong? Seed { get; init; }

    public int EffectiveTimeToLive => TimeToLive ?? (int)Math.Min(2_592_000, Duration.TotalSeconds + 600);

    /// <summary>Checks the options; throws with what to change.</summary>
    public void Validate()
    {
        static MemcacheException Bad(string id, string message) => new(MemcacheErrorKind.InvalidArgument, id, message);
        if (Servers.Count == 0)
            throw Bad("LatencyNoServer", "Give at least one server to measure (host:port).");
        if (!double.IsFinite(TargetRate) || TargetRate < 0)
            throw Bad("LatencyTargetRateInvalid", $"The target rate {TargetRate} is not a number of requests per second of 0 (closed loop) or more.");
        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromDays(1))
            throw Bad("LatencyDurationInvalid", $"The duration {Duration.TotalSeconds} s must be above 0 and at most a day.");
        if (Connections is < 1 or > 1024)
            throw Bad("LatencyConnectionsInvalid", $"Connections per server must be 1 to 1024, not {Connections}.");
        if (Pipeline is < 1 or > 4096)
            throw Bad("LatencyPipelineInvalid", $"The pipeline depth must be 1 to 4096, not {Pipeline}.");
        if (KeyCount is < 1 or > MaxKeyCount)
            throw Bad("LatencyKeyCountInvalid", $"The key count must be 1 to {MaxKeyCount:N0}, not {KeyCount}.");
        if (TimeToLive is < 0 or > 2_592_000)
            throw Bad("LatencyTimeToLiveInvalid", $"The time to live must be 0 (never expires) to 2592000 seconds (30 days), not {TimeToLive}.");
        if (!(VerifyPercent is >= 0 and <= 100))
            throw Bad("LatencyVerifyPercentInvalid", $"The verify percentage must be 0 to 100, not {VerifyPercent}.");
        if (Interval is { } interval && (interval < TimeSpan.FromMilliseconds(100) || interval > TimeSpan.FromHours(1)))
            throw Bad("LatencyIntervalInvalid", $"The interval must be 0.1 to 3600 seconds, not {interval.TotalSeconds}.");
        if (MaxErrorRate is { } e && !(e is >= 0 and <= 1))
            throw Bad("LatencyMaxErrorRateInvalid", $"The maximum error rate is a fraction of the requests from 0 to 1 (0.01 = 1%), not {e}.");
        if (MaxP99Milliseconds is { } p && !(p > 0))
            throw Bad("LatencyMaxP99Invalid", $"The p99 limit must be above 0 milliseconds, not {p}.");
        if (MinRate is { } r && !(r >= 0))
            throw Bad("LatencyMinRateInvalid", $"The minimum rate must be 0 or more requests per second, not {r}.");
        if (TargetRate > 0 && TargetRate / (Servers.Count * (double)Connections) > 1_000_000)
            throw Bad("LatencyTargetRateInvalid", $"{TargetRate:N0} requests/s is more than a million per connection: add connections.");
    }
}
