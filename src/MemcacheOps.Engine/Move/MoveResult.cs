using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Engine.Move;

/// <summary>How a move went for one destination.</summary>
public enum MoveStatus
{
    /// <summary>Every pass reached this destination and nothing was refused.</summary>
    Successful,
    /// <summary>The destination (or a source feeding it) failed, or it refused items; see the notes.</summary>
    Failed,
    /// <summary>Not moved: declined at the confirmation prompt.</summary>
    Skipped,
}

/// <summary>What a move did for one destination (Move-MemcacheNode output).</summary>
public sealed class MoveResult
{
    /// <summary>The servers read from, comma-separated.</summary>
    public required string Source { get; init; }

    public required string Destination { get; init; }

    public MoveStatus Status { get; init; }

    public StoreMode Mode { get; init; }

    /// <summary>Items stored on the destination, over all passes.</summary>
    public long Copied { get; init; }

    /// <summary>
    /// Items deliberately not written: already on the destination (Add), larger than its item_size_max,
    /// or about to expire. The notes break it down.
    /// </summary>
    public long Skipped { get; init; }

    /// <summary>Items the destination refused (out of memory, errors).</summary>
    public long Failed { get; init; }

    /// <summary>Keys deleted on the destination because they vanished from the source (-SyncDeletes).</summary>
    public long Deleted { get; init; }

    /// <summary>Keys that vanished between listing and fetch (deleted, expired or evicted): not errors.</summary>
    public long Missing { get; init; }

    /// <summary>Value bytes sent to the destination (items it declined in Add mode included).</summary>
    public long Bytes { get; init; }

    /// <summary>Passes that reached this destination.</summary>
    public int Passes { get; init; }

    /// <summary>
    /// Keys of this destination that differed from the source when the move ended, as measured by one
    /// more listing of the sources right after the last pass: keys new or changed since the last pass
    /// read them, and keys the destination holds but the source no longer has. -1 when not measured.
    /// </summary>
    public long Residual { get; init; }

    /// <summary>Items the destination evicted while the move ran (from its stats; live traffic's too).</summary>
    public long Evictions { get; init; }

    public TimeSpan Duration { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>One pass of a sync (emitted per pass with -Continuous): a cut-over aid.</summary>
public sealed class MovePassStatus
{
    public int Pass { get; init; }

    public DateTimeOffset Started { get; init; }

    /// <summary>Keys this pass found new or changed (and, with -SyncDeletes, vanished) since the previous pass.</summary>
    public long Changed { get; init; }

    public long Copied { get; init; }

    public long Deleted { get; init; }

    public long Failed { get; init; }

    /// <summary>Keys that changed while this pass ran, measured right after it (see <see cref="MoveResult.Residual"/>).</summary>
    public long Residual { get; init; }

    public TimeSpan Duration { get; init; }

    internal MovePassStatus WithResidual(long residual) => new()
    {
        Pass = Pass,
        Started = Started,
        Changed = Changed,
        Copied = Copied,
        Deleted = Deleted,
        Failed = Failed,
        Residual = residual,
        Duration = Duration,
    };
}

/// <summary>What a move would write to one destination (the -WhatIf plan and the preflight).</summary>
public sealed class MovePlan
{
    public required string Source { get; init; }

    public required string Destination { get; init; }

    /// <summary>Items the first pass would copy to this destination.</summary>
    public long Items { get; init; }

    /// <summary>Their size as memcached items (metadump <c>size=</c>: header, key and value).</summary>
    public long Bytes { get; init; }

    /// <summary>
    /// Memory they would take on this destination: whole 1 MiB slab pages of the chunk sizes its settings
    /// give (after its free chunks), which is what its memory limit counts. -1 when it could not be read.
    /// </summary>
    public long MemoryNeeded { get; init; } = -1;

    /// <summary>The destination's memory limit (-m), or -1 when it could not be read.</summary>
    public long LimitBytes { get; init; } = -1;

    /// <summary>Memory the destination has already given to slab pages (stats slabs total_malloced), or -1.</summary>
    public long UsedBytes { get; init; } = -1;

    /// <summary>Limit minus used, or -1.</summary>
    public long FreeBytes => LimitBytes < 0 ? -1 : Math.Max(0, LimitBytes - UsedBytes);

    /// <summary>Evictions the destination reported before the move.</summary>
    public long Evictions { get; init; }

    /// <summary>False when the items would not fit in the free memory without evictions.</summary>
    public bool Fits => LimitBytes < 0 || MemoryNeeded <= FreeBytes;

    /// <summary>
    /// True when the plan was answered from stats instead of a listing: a node replacement whose
    /// destination has more free memory than all the slab memory the sources have allocated (with the
    /// same slab classes) fits whatever the items are. Items and Bytes are then the sources' curr_items
    /// and bytes, and MemoryNeeded their allocated slab memory, an upper bound.
    /// </summary>
    public bool Estimated { get; init; }

    /// <summary>Null when the destination answered; otherwise why it could not be read.</summary>
    public string? Problem { get; init; }
}
