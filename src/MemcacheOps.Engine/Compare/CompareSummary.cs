namespace MemcacheOps.Engine.Compare;

/// <summary>
/// Totals of a comparison (-Summary). <see cref="Compared"/> counts every distinct key checked:
/// Equal + Missing + Extra + the three mismatch kinds.
/// </summary>
public sealed class CompareSummary
{
    public required string Reference { get; init; }

    public required string Difference { get; init; }

    public long Compared { get; init; }

    public long Equal { get; init; }

    public long Missing { get; init; }

    public long Extra { get; init; }

    public long ValueMismatch { get; init; }

    public long FlagsMismatch { get; init; }

    public long TtlMismatch { get; init; }

    /// <summary>Differences of every kind.</summary>
    public long Differences => Missing + Extra + ValueMismatch + FlagsMismatch + TtlMismatch;

    /// <summary>True when no difference was found.</summary>
    public bool IsEqual => Differences == 0;

    public TimeSpan Duration { get; init; }

    /// <summary>The fraction of keys checked (1 when every key was).</summary>
    public double SampledFraction { get; init; } = 1;

    /// <summary>What the user should know about how the comparison was made (cachemover flags, incomplete dumps).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
