using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Import;

/// <summary>Options of Import-MemcacheData / <c>memcacheops import</c>. Names match the cmdlet parameters.</summary>
public sealed record ImportOptions
{
    /// <summary>Dump folders (MemcacheOps or cachemover) or single data files.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Target servers, in the order given; with several, each key goes to its owner as <see cref="Ring"/> places it.</summary>
    public required IReadOnlyList<ServerEndpoint> Servers { get; init; }

    public StoreMode Mode { get; init; } = StoreMode.Add;

    /// <summary>Load files without verifying their checksums first.</summary>
    public bool SkipChecksum { get; init; }

    /// <summary>Skip items with less than this many seconds left to live.</summary>
    public long MinimumTtl { get; init; }

    /// <summary>Store every item with this TTL in seconds instead of its remaining one (0: never expires).</summary>
    public long? TtlOverride { get; init; }

    /// <summary>Load what an incomplete dump has finished instead of refusing it.</summary>
    public bool AllowIncomplete { get; init; }

    /// <summary>How keys are placed on several targets (-RingForm, -PointsPerServer, -HashSalt, -HashWeight).</summary>
    public RingOptions Ring { get; init; } = RingOptions.Default;

    /// <summary>Connections per target server.</summary>
    public int Connections { get; init; } = 2;

    /// <summary>Items per pipelined batch.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Batches in flight per connection.</summary>
    public int Window { get; init; } = 4;

    /// <summary>Data files read at the same time.</summary>
    public int FileParallelism { get; init; } = 2;

    /// <summary>Limit on store operations per second per target server (null: unlimited).</summary>
    public double? MaxOperationsPerSecond { get; init; }

    /// <summary>Limit on the value bytes each target server receives per second, over all its connections (null: unlimited).</summary>
    public double? MaxBytesPerSecond { get; init; }

    /// <summary>
    /// Throttles shared with other imports of the same run (the queue consumer's chunks), so their limits
    /// hold per target server together; null: this import makes its own from the limits above.
    /// </summary>
    internal ThrottleRegistry? Throttles { get; init; }

    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;
}
