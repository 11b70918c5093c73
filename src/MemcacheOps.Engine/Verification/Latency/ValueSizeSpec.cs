using System.Globalization;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// Value sizes of a run: a fixed size (<c>100</c>), a range chosen uniformly (<c>100-1000</c>) or a weighted
/// list (<c>100=80,4096=15,65536=5</c>). The size of a value is a function of its key and version, so a reader
/// knows what length to expect without remembering it.
/// </summary>
public sealed class ValueSizeSpec
{
    private readonly int[] _sizes;
    private readonly double[] _cumulative;
    private readonly int _rangeLow;
    private readonly int _rangeHigh;

    private ValueSizeSpec(int[] sizes, double[] cumulative, int rangeLow, int rangeHigh, string text)
    {
        _sizes = sizes;
        _cumulative = cumulative;
        _rangeLow = rangeLow;
        _rangeHigh = rangeHigh;
        Text = text;
        Max = sizes.Length > 0 ? sizes.Max() : rangeHigh;
        Min = sizes.Length > 0 ? sizes.Min() : rangeLow;
    }

    /// <summary>The largest value size the spec can give.</summary>
    public int Max { get; }

    public int Min { get; }

    public string Text { get; }

    public static ValueSizeSpec Default { get; } = Parse("100");

    /// <summary>The size for a 64-bit hash of (key, version).</summary>
    public int Pick(ulong hash)
    {
        if (_sizes.Length == 0)
            return _rangeLow + (int)(hash % (ulong)(_rangeHigh - _rangeLow + 1));
        if (_sizes.Length == 1)
            return _sizes[0];
        var uniform = (hash >> 11) * (1.0 / (1UL << 53));
        for (var i = 0; i < _cumulative.Length; i++)
        {
            if (uniform < _cumulative[i])
                return _sizes[i];
        }
        return _sizes[^1];
    }

    /// <summary>The largest value memcached stores by default is just under 1 MiB; larger needs -I on the server.</summary>
    public const int MaxSize = 128 * 1024 * 1024;

    public static ValueSizeSpec Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw Invalid(text, "it is empty");
        text = text.Trim();
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (!text.Contains('=', StringComparison.Ordinal) && !text.Contains(',', StringComparison.Ordinal) && dash > 0)
        {
            var low = Size(text, text[..dash]);
            var high = Size(text, text[(dash + 1)..]);
            if (high < low)
                throw Invalid(text, "the range ends below its start");
            return new ValueSizeSpec([], [], low, high, string.Create(CultureInfo.InvariantCulture, $"{low}-{high}"));
        }
        var sizes = new List<int>();
        var weights = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var size = Size(text, eq < 0 ? part : part[..eq]);
            double weight = 1;
            if (eq >= 0 && (!double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || weight <= 0 || !double.IsFinite(weight)))
                throw Invalid(text, $"the weight of size {size} is not a number above 0");
            sizes.Add(size);
            weights.Add(weight);
        }
        if (sizes.Count == 0)
            throw Invalid(text, "it names no size");
        var total = weights.Sum();
        var cumulative = new double[weights.Count];
        var sum = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            sum += weights[i] / total;
            cumulative[i] = sum;
        }
        cumulative[^1] = 1.0;
        var normalised = sizes.Count == 1
            ? sizes[0].ToString(CultureInfo.InvariantCulture)
            : string.Join(",", sizes.Zip(weights, (s, w) => string.Create(CultureInfo.InvariantCulture, $"{s}={w}")));
        return new ValueSizeSpec([.. sizes], cumulative, 0, 0, normalised);
    }

    private static int Size(string text, string token)
    {
        if (!int.TryParse(token.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 0 || size > MaxSize)
            throw Invalid(text, $"'{token.Trim()}' is not a size in bytes from 0 to {MaxSize}");
        return size;
    }

    private static MemcacheException Invalid(string? text, string why)
        => new(MemcacheErrorKind.InvalidArgument, "LatencyValueSizeInvalid",
            $"The value size '{text}' cannot be used: {why}. Write a size (100), a range (100-1000) or size=weight pairs (100=80,4096=20).");

    public override string ToString() => Text;
}
