using System.Globalization;

namespace MemcacheOps.Engine.Stats;

/// <summary>The summary of one server from <c>stats</c>, typed for the fields operators read most, plus every raw field.</summary>
public sealed class ServerStats
{
    public required string Server { get; init; }
    public string Version { get; init; } = string.Empty;
    public long Pid { get; init; }
    public TimeSpan Uptime { get; init; }

    /// <summary>The server's clock when it answered.</summary>
    public DateTimeOffset ServerTime { get; init; }

    /// <summary>Server clock minus this host's clock (positive: the server is ahead). memcached's clock has 1 s resolution.</summary>
    public TimeSpan ClockSkew { get; init; }

    public int Threads { get; init; }
    public long BytesUsed { get; init; }
    public long LimitBytes { get; init; }
    public double MemoryUsedPercent => LimitBytes > 0 ? Math.Round(100.0 * BytesUsed / LimitBytes, 2) : 0;
    public long CurrentItems { get; init; }
    public long TotalItems { get; init; }
    public long GetHits { get; init; }
    public long GetMisses { get; init; }

    /// <summary>Hits / (hits + misses) since the server started; null when nothing was read yet.</summary>
    public double? HitRatio => GetHits + GetMisses > 0 ? Math.Round((double)GetHits / (GetHits + GetMisses), 4) : null;

    public long Evictions { get; init; }
    public long ExpiredUnfetched { get; init; }
    public long EvictedUnfetched { get; init; }
    public long CurrentConnections { get; init; }
    public long TotalConnections { get; init; }
    public long RejectedConnections { get; init; }
    public long CmdGet { get; init; }
    public long CmdSet { get; init; }
    public long CmdTouch { get; init; }
    public long CmdFlush { get; init; }
    public long BytesRead { get; init; }
    public long BytesWritten { get; init; }
    public long StoreTooLarge { get; init; }
    public long StoreNoMemory { get; init; }

    /// <summary>Every field the server sent, by name, as text.</summary>
    public required IReadOnlyDictionary<string, string> Raw { get; init; }

    /// <summary>Builds the typed view; <paramref name="localMidpoint"/> is this host's clock halfway through the request.</summary>
    public static ServerStats FromPairs(string server, IReadOnlyList<KeyValuePair<string, string>> pairs, DateTimeOffset localMidpoint)
    {
        var raw = new Dictionary<string, string>(pairs.Count, StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
            raw[name] = value;
        var time = DateTimeOffset.FromUnixTimeSeconds(Long(raw, "time"));
        return new ServerStats
        {
            Server = server,
            Raw = raw,
            Version = raw.GetValueOrDefault("version", string.Empty),
            Pid = Long(raw, "pid"),
            Uptime = TimeSpan.FromSeconds(Long(raw, "uptime")),
            ServerTime = time,
            ClockSkew = raw.ContainsKey("time") ? time - localMidpoint : TimeSpan.Zero,
            Threads = (int)Long(raw, "threads"),
            BytesUsed = Long(raw, "bytes"),
            LimitBytes = Long(raw, "limit_maxbytes"),
            CurrentItems = Long(raw, "curr_items"),
            TotalItems = Long(raw, "total_items"),
            GetHits = Long(raw, "get_hits"),
            GetMisses = Long(raw, "get_misses"),
            Evictions = Long(raw, "evictions"),
            ExpiredUnfetched = Long(raw, "expired_unfetched"),
            EvictedUnfetched = Long(raw, "evicted_unfetched"),
            CurrentConnections = Long(raw, "curr_connections"),
            TotalConnections = Long(raw, "total_connections"),
            RejectedConnections = Long(raw, "rejected_connections"),
            CmdGet = Long(raw, "cmd_get"),
            CmdSet = Long(raw, "cmd_set"),
            CmdTouch = Long(raw, "cmd_touch"),
            CmdFlush = Long(raw, "cmd_flush"),
            BytesRead = Long(raw, "bytes_read"),
            BytesWritten = Long(raw, "bytes_written"),
            StoreTooLarge = Long(raw, "store_too_large"),
            StoreNoMemory = Long(raw, "store_no_memory"),
        };
    }

    internal static long Long(IReadOnlyDictionary<string, string> raw, string name)
        => raw.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
