using System.Collections.Concurrent;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Throttling;

/// <summary>
/// Hands out one <see cref="TokenBucketThrottle"/> per server for one set of limits, so every
/// connection to the same server draws from the same buckets and the limit holds per server however
/// many connections an operation opens.
/// </summary>
public sealed class ThrottleRegistry
{
    private readonly ConcurrentDictionary<ServerEndpoint, TokenBucketThrottle> _throttles = new();
    private readonly TimeProvider _time;

    public ThrottleRegistry(ThrottleLimits limits, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        Limits = limits;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The limits every server's throttle applies.</summary>
    public ThrottleLimits Limits { get; }

    /// <summary>The throttle for <paramref name="server"/>, created on first use and the same instance afterwards.</summary>
    public TokenBucketThrottle GetThrottle(ServerEndpoint server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return _throttles.GetOrAdd(server, static (_, registry) => new TokenBucketThrottle(registry.Limits, registry._time), this);
    }

    /// <summary>The throttles created so far, for progress reports (counters per server).</summary>
    public IReadOnlyDictionary<ServerEndpoint, TokenBucketThrottle> Throttles => new Dictionary<ServerEndpoint, TokenBucketThrottle>(_throttles);
}
