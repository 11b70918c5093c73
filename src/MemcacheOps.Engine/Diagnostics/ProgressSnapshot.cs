namespace MemcacheOps.Engine.Diagnostics;

/// <summary>A moment in a long operation, for Write-Progress or a CLI status line.</summary>
public sealed record ProgressSnapshot
{
    public required string Activity { get; init; }

    /// <summary>What the operation is doing now, e.g. "listing keys" or "fetching values".</summary>
    public required string Phase { get; init; }

    public long Items { get; init; }
    public long? TotalItems { get; init; }
    public long Bytes { get; init; }
    public TimeSpan Elapsed { get; init; }
    public double ItemsPerSecond { get; init; }
    public double BytesPerSecond { get; init; }
    public bool Completed { get; init; }

    /// <summary>Percent done when the total is known.</summary>
    public int? PercentComplete => TotalItems is > 0 ? (int)Math.Clamp(100 * Items / TotalItems.Value, 0, 100) : null;

    /// <summary>Estimated time left when the total is known and a rate exists.</summary>
    public TimeSpan? Remaining => TotalItems is > 0 && ItemsPerSecond > 0 && TotalItems.Value >= Items
        ? TimeSpan.FromSeconds((TotalItems.Value - Items) / ItemsPerSecond)
        : null;
}
