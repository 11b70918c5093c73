namespace MemcacheOps.Engine.Compare;

/// <summary>
/// Picks a deterministic fraction of keys by a hash of their bytes, so the reference pass, the
/// difference pass and a rerun all check the same keys whichever side or server lists them.
/// </summary>
internal readonly struct SampleFilter
{
    private const double TwoPow64 = 18446744073709551616.0;
    private readonly ulong _threshold;

    public SampleFilter(double? fraction)
    {
        if (fraction is { } f && (double.IsNaN(f) || f <= 0 || f > 1))
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidSample",
                $"The sample must be a fraction greater than 0 and at most 1 (e.g. 0.01 for 1% of the keys), not {f}.");
        All = fraction is null or >= 1;
        Fraction = fraction ?? 1;
        _threshold = All ? ulong.MaxValue : (ulong)(Fraction * TwoPow64);
    }

    /// <summary>True when every key is checked.</summary>
    public bool All { get; }

    public double Fraction { get; }

    public bool Includes(ReadOnlySpan<byte> key) => All || Hash(key) < _threshold;

    /// <summary>FNV-1a over the key, then a 64-bit finaliser so similar keys spread evenly; stable across runs and machines.</summary>
    internal static ulong Hash(ReadOnlySpan<byte> key)
    {
        var h = 14695981039346656037UL;
        foreach (var b in key)
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return h;
    }
}
