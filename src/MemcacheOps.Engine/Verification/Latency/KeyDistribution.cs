namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>How a run picks the key of each request among its -KeyCount keys.</summary>
public enum KeyDistribution
{
    /// <summary>Every key equally likely.</summary>
    Uniform,
    /// <summary>A few keys are hot: Zipf with exponent 0.99 (YCSB's), key 0 the hottest.</summary>
    Zipf,
    /// <summary>Each connection walks the keys in order from its own starting point, wrapping around.</summary>
    Sequential,
}

/// <summary>
/// Zipf-distributed ranks in O(1) per draw after an O(n) set-up (Gray et al., "Quickly generating billion-record
/// synthetic databases", as YCSB's ZipfianGenerator): no table of n probabilities, so a million keys cost no memory.
/// </summary>
public sealed class ZipfGenerator
{
    public const double DefaultExponent = 0.99;

    private readonly int _count;
    private readonly double _theta;
    private readonly double _zetaN;
    private readonly double _alpha;
    private readonly double _eta;
    private readonly double _halfPowTheta;

    public ZipfGenerator(int count, double theta = DefaultExponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _count = count;
        _theta = theta;
        var zeta2 = 1 + Math.Pow(0.5, theta);
        _zetaN = Zeta(count, theta);
        _alpha = 1.0 / (1.0 - theta);
        _eta = (1 - Math.Pow(2.0 / count, 1 - theta)) / (1 - zeta2 / _zetaN);
        _halfPowTheta = Math.Pow(0.5, theta);
    }

    /// <summary>The rank (0 = most frequent) for a uniform number in [0, 1).</summary>
    public int Next(double uniform)
    {
        var uz = uniform * _zetaN;
        if (uz < 1.0)
            return 0;
        if (uz < 1.0 + _halfPowTheta || _count < 3)
            return Math.Min(1, _count - 1);
        var rank = (long)(_count * Math.Pow(_eta * uniform - _eta + 1, _alpha));
        return (int)Math.Clamp(rank, 0, _count - 1);
    }

    private static double Zeta(int n, double theta)
    {
        var sum = 0.0;
        for (var i = 1; i <= n; i++)
            sum += 1.0 / Math.Pow(i, theta);
        return sum;
    }

    public override string ToString() => $"Zipf(n={_count}, s={_theta})";
}

/// <summary>A small, fast pseudo-random generator (SplitMix64) owned by one connection: no locks, no allocation.</summary>
internal struct FastRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public int Next(int exclusiveMax) => (int)(NextUInt64() % (ulong)exclusiveMax);

    /// <summary>A well-mixed hash of two numbers (SplitMix64's finaliser), for sizes and offsets of values.</summary>
    public static ulong Mix(ulong a, ulong b)
    {
        var z = a * 0x9E3779B97F4A7C15UL + b + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
