namespace MemcacheOps.Engine.Compare;

/// <summary>How a key differs between the reference and the difference side.</summary>
public enum DifferenceKind
{
    /// <summary>The reference has the key; the difference side does not (on its owner, for a ring).</summary>
    Missing,
    /// <summary>The difference side has a key the reference does not.</summary>
    Extra,
    /// <summary>Both have the key with different value bytes (length or content).</summary>
    ValueMismatch,
    /// <summary>Same value, different client flags.</summary>
    FlagsMismatch,
    /// <summary>Same value and flags; remaining TTLs differ by more than the tolerance, or only one side never expires.</summary>
    TtlMismatch,
}

/// <summary>
/// One key that differs. Only differences are emitted, so an empty result means the sides are equal.
/// When a key differs in several ways the most significant kind is reported (value, then flags,
/// then TTL) and every field of both sides is filled in; a side's fields are null where it lacks the key.
/// </summary>
public sealed class MemcacheDifference
{
    /// <summary>The key as text, or percent-encoded when it is binary.</summary>
    public required string Key { get; init; }

    /// <summary>The key's exact bytes.</summary>
    public required byte[] KeyBytes { get; init; }

    public bool IsBinaryKey { get; init; }

    public DifferenceKind Kind { get; init; }

    /// <summary>Where the reference holds (or, for Extra, would hold) the key: host:port, or the dump's path.</summary>
    public string? ReferenceServer { get; init; }

    /// <summary>Where the difference side holds (or, for Missing, should hold) the key: host:port, or the dump's path.</summary>
    public string? DifferenceServer { get; init; }

    /// <summary>Value length in bytes on the reference.</summary>
    public long? ReferenceSize { get; init; }

    public uint? ReferenceFlags { get; init; }

    /// <summary>Remaining seconds to live on the reference; -1 means never expires.</summary>
    public long? ReferenceTtl { get; init; }

    public long? DifferenceSize { get; init; }

    public uint? DifferenceFlags { get; init; }

    /// <summary>Remaining seconds to live on the difference side; -1 means never expires.</summary>
    public long? DifferenceTtl { get; init; }
}
