using System.Text;
using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Tests.Compare;

/// <summary>Runs a comparison with a collecting sink, bounded in time so a hang fails the test instead of blocking the run.</summary>
internal static class CompareRunner
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static CompareSide Servers(params string[] endpoints) => CompareSide.FromServers(endpoints.Select(ServerEndpoint.Parse));

    public static async Task<(CompareSummary Summary, List<MemcacheDifference> Differences, CollectingSink Sink)> RunAsync(ComparisonOptions options)
    {
        var sink = new CollectingSink();
        using var timeout = new CancellationTokenSource(Limit);
        var summary = await CompareService.RunAsync(options, sink, timeout.Token).WaitAsync(Limit);
        Assert.Empty(sink.Errors);
        return (summary, sink.ResultsOf<MemcacheDifference>().ToList(), sink);
    }

    public static Task<(CompareSummary Summary, List<MemcacheDifference> Differences, CollectingSink Sink)> RunAsync(CompareSide reference, CompareSide difference,
        Func<ComparisonOptions, ComparisonOptions>? configure = null)
    {
        var options = new ComparisonOptions { Reference = reference, Difference = difference };
        return RunAsync(configure is null ? options : configure(options));
    }

    /// <summary>Differences as "key=Kind" in key order, for exact assertions.</summary>
    public static string[] Kinds(IEnumerable<MemcacheDifference> differences)
        => differences.Select(d => $"{d.Key}={d.Kind}").Order(StringComparer.Ordinal).ToArray();

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
