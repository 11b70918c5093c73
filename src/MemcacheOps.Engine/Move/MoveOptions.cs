using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Engine.Move;

/// <summary>What a move does when a destination starts evicting items while it is being written.</summary>
public enum MoveEvictionPolicy
{
    /// <summary>Keep writing; report the evictions (warnings and the result's Evictions).</summary>
    Continue,
    /// <summary>Stop writing until the destination's evictions stay flat for a while; fail it if they never do.</summary>
    Pause,
    /// <summary>Stop writing to that destination at once; its result is Failed.</summary>
    Abort,
}

/// <summary>Options of Move-MemcacheNode / <c>memcacheops move</c>. Names match the cmdlet parameters.</summary>
public sealed record MoveOptions
{
    /// <summary>Servers read from (every item of each is considered).</summary>
    public required IReadOnlyList<ServerEndpoint> Sources { get; init; }

    /// <summary>Servers written to. Unless <see cref="RingServers"/> is given they are also the new ring.</summary>
    public required IReadOnlyList<ServerEndpoint> Destinations { get; init; }

    /// <summary>
    /// The whole new ring when <see cref="Destinations"/> is only part of it: only keys whose new owner
    /// is one of the destinations are copied (warming one replaced node). Null: the destinations.
    /// </summary>
    public IReadOnlyList<KetamaNode>? RingServers { get; init; }

    /// <summary>The ring before the change, for <see cref="OnlyMoved"/>. Null: the sources.</summary>
    public IReadOnlyList<KetamaNode>? OldRingServers { get; init; }

    /// <summary>Copy only keys whose owner on the old ring differs from their owner on the new ring.</summary>
    public bool OnlyMoved { get; init; }

    /// <summary>
    /// How new keys are written: Add (default) never overwrites what the destination already has;
    /// Set overwrites. Keys whose CAS changed since an earlier pass are always written with Set.
    /// </summary>
    public StoreMode Mode { get; init; } = StoreMode.Add;

    /// <summary>In passes after the first, delete on the destination keys that vanished from the source.</summary>
    public bool SyncDeletes { get; init; }

    /// <summary>At most this many passes (without <see cref="Continuous"/>).</summary>
    public int Passes { get; init; } = 1;

    /// <summary>Stop once a pass finds fewer than this many changed keys (default 1: a pass that finds nothing ends the move).</summary>
    public long ChangeThreshold { get; init; } = 1;

    /// <summary>No new pass starts after this much time from the start (the pass under way finishes). Also ends <see cref="Continuous"/>.</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>Keep running passes until cancelled (or <see cref="Deadline"/>), emitting a <see cref="MovePassStatus"/> per pass.</summary>
    public bool Continuous { get; init; }

    /// <summary>Pause between passes. Null: none for bounded passes, 5 s with <see cref="Continuous"/>.</summary>
    public TimeSpan? PassInterval { get; init; }

    /// <summary>Limit on operations per second per server, sources and destinations alike (null: unlimited).</summary>
    public double? MaxOperationsPerSecond { get; init; }

    /// <summary>Limit on bytes per second per server, sources and destinations alike (null: unlimited).</summary>
    public double? MaxBytesPerSecond { get; init; }

    /// <summary>Move even when the preflight finds a destination too small to hold its share without evicting.</summary>
    public bool Force { get; init; }

    public MoveEvictionPolicy EvictionPolicy { get; init; } = MoveEvictionPolicy.Continue;

    /// <summary>With <see cref="MoveEvictionPolicy.Pause"/>: writing resumes once evictions stayed flat this long.</summary>
    public TimeSpan EvictionQuietPeriod { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>With <see cref="MoveEvictionPolicy.Pause"/>: a destination still evicting after this long paused fails.</summary>
    public TimeSpan EvictionMaxPause { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often each destination's evictions are sampled.</summary>
    public TimeSpan EvictionSampleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How the old and new rings place keys (-RingForm, -PointsPerServer, -HashSalt, -HashWeight).</summary>
    public RingOptions Ring { get; init; } = RingOptions.Default;

    /// <summary>Connections per server: fetch connections to each source and store connections to each destination.</summary>
    public int Connections { get; init; } = 2;

    /// <summary>Keys per pipelined mg batch (and at most this many items per ms batch).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Batches in flight per connection.</summary>
    public int Window { get; init; } = 4;

    /// <summary>
    /// Where the sources' keys come from: null (or <see cref="KeySource.Listing"/>) lists each source with
    /// <c>metadump hash</c>; a key file or given keys move only those keys, for sources that do not list
    /// theirs. Given keys are looked up on each source before every pass, so passes see their real CAS and
    /// the residual is measured on them; given keys a source lacks are reported in the notes.
    /// </summary>
    public KeySource? Keys { get; init; }

    /// <summary>Spill folder, buffer and BUSY retry settings of the listings; the method is always metadump hash.</summary>
    public ListingOptions Listing { get; init; } = new();

    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;
}
