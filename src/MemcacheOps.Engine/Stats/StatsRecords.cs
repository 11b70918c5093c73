namespace MemcacheOps.Engine.Stats;

/// <summary>One slab class from <c>stats slabs</c>.</summary>
public sealed class SlabClassStats
{
    public required string Server { get; init; }
    public int ClassId { get; init; }
    public long ChunkSize { get; init; }
    public long ChunksPerPage { get; init; }
    public long TotalPages { get; init; }
    public long TotalChunks { get; init; }
    public long UsedChunks { get; init; }
    public long FreeChunks { get; init; }
    public long GetHits { get; init; }
    public long CmdSet { get; init; }
    public required IReadOnlyDictionary<string, string> Raw { get; init; }
}

/// <summary>One slab class from <c>stats items</c>: how many items it holds and what happened to them.</summary>
public sealed class ItemClassStats
{
    public required string Server { get; init; }
    public int ClassId { get; init; }
    public long Number { get; init; }
    public long NumberHot { get; init; }
    public long NumberWarm { get; init; }
    public long NumberCold { get; init; }
    public TimeSpan Age { get; init; }
    public long Evicted { get; init; }
    public long OutOfMemory { get; init; }
    public long ExpiredUnfetched { get; init; }
    public long EvictedUnfetched { get; init; }
    public required IReadOnlyDictionary<string, string> Raw { get; init; }
}

/// <summary>The server's configuration from <c>stats settings</c>.</summary>
public sealed class ServerSettings
{
    public required string Server { get; init; }
    public long MaxBytes { get; init; }
    public long MaxConnections { get; init; }
    public int Threads { get; init; }

    /// <summary>Largest item the server stores (<c>-I</c>); values near it must leave room for the item header.</summary>
    public long ItemSizeMax { get; init; }

    public bool LruCrawler { get; init; }
    public bool DumpEnabled { get; init; }
    public bool CasEnabled { get; init; }
    public required IReadOnlyDictionary<string, string> Raw { get; init; }
}

/// <summary>One open connection from <c>stats conns</c>.</summary>
public sealed class ConnectionStats
{
    public required string Server { get; init; }
    public int Descriptor { get; init; }
    public string Address { get; init; } = string.Empty;
    public string ListenAddress { get; init; } = string.Empty;
    public string State { get; init; } = string.Empty;
    public long SecondsSinceLastCommand { get; init; }
}

/// <summary>Rates between two <c>stats</c> samples of one server, like memcache-top shows.</summary>
public sealed class StatsSample
{
    public required string Server { get; init; }
    public int Sample { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public TimeSpan Interval { get; init; }
    public double GetsPerSecond { get; init; }
    public double SetsPerSecond { get; init; }

    /// <summary>Hit ratio of the reads during this interval; null when there were none.</summary>
    public double? HitRatio { get; init; }

    public double EvictionsPerSecond { get; init; }
    public double BytesReadPerSecond { get; init; }
    public double BytesWrittenPerSecond { get; init; }
    public long CurrentItems { get; init; }
    public long CurrentConnections { get; init; }
    public double MemoryUsedPercent { get; init; }
}
