namespace MemcacheOps.Engine.Compare;

/// <summary>Decides whether a key present on the reference differs on the other side, and how.</summary>
internal static class ItemComparer
{
    /// <summary>
    /// The most significant difference (missing, then value, flags, TTL) or null when equal. Values
    /// are equal when their lengths and digests are; flags are compared under <paramref name="flagsMask"/>;
    /// TTLs are equal when both never expire or both expire within <paramref name="ttlTolerance"/> seconds.
    /// </summary>
    public static DifferenceKind? Classify(in ItemRecord reference, in ItemRecord other, uint flagsMask, long ttlTolerance)
    {
        if (!other.Present)
            return DifferenceKind.Missing;
        if (reference.Size != other.Size || (reference.HasDigest && other.HasDigest && reference.Digest != other.Digest))
            return DifferenceKind.ValueMismatch;
        if ((reference.Flags & flagsMask) != (other.Flags & flagsMask))
            return DifferenceKind.FlagsMismatch;
        var referenceNever = reference.Ttl < 0;
        var otherNever = other.Ttl < 0;
        if (referenceNever != otherNever || (!referenceNever && Math.Abs(reference.Ttl - other.Ttl) > ttlTolerance))
            return DifferenceKind.TtlMismatch;
        return null;
    }
}
