using System.Globalization;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// The share of each operation in a run, written as <c>get=90,set=10</c> (weights, not necessarily adding up to
/// 100; also mg, ms, delete and touch). Picking an operation is a lookup in a table of cumulative weights.
/// </summary>
public sealed class OperationMix
{
    private readonly LoadOperation[] _operations;
    private readonly double[] _cumulative;

    private OperationMix(LoadOperation[] operations, double[] weights, string text)
    {
        _operations = operations;
        _cumulative = new double[weights.Length];
        var total = weights.Sum();
        var sum = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i] / total;
            _cumulative[i] = sum;
        }
        _cumulative[^1] = 1.0;
        Weights = operations.Zip(weights, (o, w) => KeyValuePair.Create(o, w / total)).ToList();
        Text = text;
    }

    public static OperationMix Default { get; } = Parse("get=90,set=10");

    /// <summary>Each operation with its share (0-1), in the order written.</summary>
    public IReadOnlyList<KeyValuePair<LoadOperation, double>> Weights { get; }

    /// <summary>The mix as written, normalised (lower case, no spaces).</summary>
    public string Text { get; }

    public bool HasReads => _operations.Any(LoadOperations.IsRead);

    public bool Contains(LoadOperation operation) => Array.IndexOf(_operations, operation) >= 0;

    /// <summary>The operation for a uniform random number in [0, 1).</summary>
    public LoadOperation Pick(double uniform)
    {
        var cumulative = _cumulative;
        for (var i = 0; i < cumulative.Length; i++)
        {
            if (uniform < cumulative[i])
                return _operations[i];
        }
        return _operations[^1];
    }

    public static OperationMix Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw Invalid(text, "it is empty");
        var operations = new List<LoadOperation>();
        var weights = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? part : part[..eq].Trim();
            if (!LoadOperations.TryParse(name, out var operation))
                throw Invalid(text, $"'{name}' is not an operation (get, set, mg, ms, delete, touch)");
            if (operations.Contains(operation))
                throw Invalid(text, $"'{name}' appears twice");
            double weight = 1;
            if (eq >= 0 && (!double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || weight < 0 || !double.IsFinite(weight)))
                throw Invalid(text, $"the weight of '{name}' is not a number of 0 or more");
            if (weight == 0)
                continue;
            operations.Add(operation);
            weights.Add(weight);
        }
        if (operations.Count == 0)
            throw Invalid(text, "no operation has a weight above 0");
        var normalised = string.Join(",", operations.Zip(weights, (o, w) => LoadOperations.Name(o) + "=" + w.ToString(CultureInfo.InvariantCulture)));
        return new OperationMix([.. operations], [.. weights], normalised);
    }

    private static MemcacheException Invalid(string? text, string why)
        => new(MemcacheErrorKind.InvalidArgument, "LatencyMixInvalid",
            $"The operation mix '{text}' cannot be used: {why}. Write it as name=weight pairs, e.g. get=90,set=10 or mg=80,ms=15,delete=5.");

    public override string ToString() => Text;
}
