using MemcacheOps.Engine.Connections;

namespace MemcacheOps.Engine.Listing;

/// <summary>How keys are listed.</summary>
public enum ListingMethod
{
    /// <summary>Pick the best the server supports: metadump hash, then metadump all, then stats cachedump.</summary>
    Auto,
    /// <summary><c>lru_crawler metadump hash</c>: every key present for the whole listing appears exactly once (1.6.9+).</summary>
    MetadumpHash,
    /// <summary><c>lru_crawler metadump all</c>: walks the LRUs; on a live server keys can be missed or repeated.</summary>
    MetadumpAll,
    /// <summary><c>stats cachedump</c>: only the COLD LRU, at most 2 MB per class; very incomplete.</summary>
    CacheDump,
}

/// <summary>Options of the listing stage shared by Get-MemcacheKeys and export.</summary>
public sealed record ListingOptions
{
    public ListingMethod Method { get; init; } = ListingMethod.Auto;

    /// <summary>How long to keep retrying while the server's crawler is busy with another listing.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>First wait after a BUSY reply; doubles (with jitter) up to <see cref="BusyMaxDelay"/>.</summary>
    public TimeSpan BusyInitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan BusyMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a hash-table growth may stay due without starting before the listing goes ahead with a
    /// warning (a server started with <c>-o no_hashexpand</c> never grows it); see <see cref="HashTableGrowth"/>.
    /// A growth that has started is waited for up to <see cref="BusyTimeout"/>.
    /// </summary>
    public TimeSpan GrowthStartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Listing bytes kept in memory before spilling to a temporary file.</summary>
    public long MemoryBufferBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Where spill files go (default: the system temp folder).</summary>
    public string? SpillDirectory { get; init; }

    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;
}

/// <summary>What a finished listing did; <paramref name="Server"/> says which run of the server was listed, when known.</summary>
public sealed record ListingSummary(ListingMethod Method, long Lines, long Bytes, int BusyRetries, string ServerVersion, DateTimeOffset ServerTimeAtStart,
    Stats.ServerIdentity? Server = null)
{
    /// <summary>Given keys (a key file, piped keys) the server does not hold; always 0 for a server's own listing.</summary>
    public long Missing { get; init; }
}
