using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Engine.Compare;

/// <summary>Options of Compare-MemcacheData / <c>memcacheops compare</c>. Names match the cmdlet parameters.</summary>
public sealed record ComparisonOptions
{
    /// <summary>What the data should look like: usually the source of a migration.</summary>
    public required CompareSide Reference { get; init; }

    /// <summary>What is checked against the reference: usually the migration's target.</summary>
    public required CompareSide Difference { get; init; }

    /// <summary>
    /// Fraction of keys to check, in (0, 1]; null checks every key. The choice depends only on the
    /// key's bytes, so both passes and repeated runs check the same keys.
    /// </summary>
    public double? Sample { get; init; }

    /// <summary>Emit one <see cref="CompareSummary"/> instead of one object per difference.</summary>
    public bool Summary { get; init; }

    /// <summary>Remaining TTLs that differ by at most this many seconds are equal.</summary>
    public long TtlTolerance { get; init; } = 2;

    /// <summary>How a side with several servers places keys, to find each key's owner there.</summary>
    public RingOptions Ring { get; init; } = RingOptions.Default;

    /// <summary>Connections per server (each carries both the value fetches and the lookups).</summary>
    public int Connections { get; init; } = 4;

    /// <summary>Keys per pipelined batch.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Batches in flight per connection.</summary>
    public int Window { get; init; } = 4;

    /// <summary>Limit on operations per second per server (null: unlimited). Listings are never throttled.</summary>
    public double? MaxOperationsPerSecond { get; init; }

    /// <summary>Limit on bytes per second sent to each server (null: unlimited).</summary>
    public double? MaxBytesPerSecond { get; init; }

    /// <summary>
    /// Where the keys of server sides come from: null (or <see cref="KeySource.Listing"/>) lists the servers;
    /// a key file or given keys compare only those keys, for servers that do not list theirs. Each side is
    /// asked about the given keys: pass 1 checks those the reference holds, pass 2 finds those only the
    /// difference side holds (Extra).
    /// </summary>
    public KeySource? Keys { get; init; }

    /// <summary>How keys are listed on server sides (method, spill folder).</summary>
    public ListingOptions Listing { get; init; } = new();

    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;
}
