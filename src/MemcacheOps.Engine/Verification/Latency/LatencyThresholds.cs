using System.Globalization;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// Decides <see cref="LatencyResult.Passed"/>: the p99 and error-rate limits hold for every server and for all
/// together, the minimum rate for all together; a value that was not what was written, or a run that had to stop,
/// fails whatever the limits.
/// </summary>
internal static class LatencyThresholds
{
    public static List<string> Check(LatencyOptions options, LatencyResult result, bool isAggregate, string? abortReason)
    {
        var c = CultureInfo.InvariantCulture;
        var failures = new List<string>();
        if (abortReason is not null && isAggregate)
            failures.Add(abortReason);
        if (options.MaxP99Milliseconds is { } maxP99 && result.Latency.P99 > maxP99)
            failures.Add(string.Create(c, $"p99 latency {result.Latency.P99:0.###} ms on {result.Server} is above the limit of {maxP99:G6} ms"));
        if (result.Requests == 0)
            failures.Add($"no request to {result.Server} was answered, so there is nothing to measure");
        if (options.MaxErrorRate is { } maxErrors && result.ErrorRate > maxErrors)
            failures.Add(string.Create(c, $"error rate {result.ErrorRate:P3} on {result.Server} ({result.ErrorCounts}) is above the limit of {maxErrors:P3}"));
        if (isAggregate && options.MinRate is { } minRate && result.AchievedRate < minRate)
            failures.Add(string.Create(c, $"achieved rate {result.AchievedRate:N0}/s on {result.Server} is below the minimum of {minRate:N0}/s"));
        // An open loop that could not keep its schedule did not apply the load it reports on.
        var scheduled = result.Requests + result.Errors + result.NotSent;
        if (result.TargetRate > 0 && result.NotSent > 0.01 * scheduled)
            failures.Add(string.Create(c, $"{result.NotSent:N0} of {scheduled:N0} requests to {result.Server} were due but never sent (connections down, or every pipeline slot taken): the load asked for was not applied"));
        if (result.ErrorCounts.VerifyMismatch > 0)
            failures.Add(string.Create(c, $"{result.ErrorCounts.VerifyMismatch:N0} reads on {result.Server} returned a value that was not what was written"));
        return failures;
    }
}
