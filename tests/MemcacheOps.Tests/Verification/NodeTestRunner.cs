using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Verification.NodeChecks;

namespace MemcacheOps.Tests.Verification;

/// <summary>Runs Test-MemcacheNode's engine and keeps what it reported.</summary>
internal static class NodeTestRunner
{
    public sealed record Run(IReadOnlyList<NodeCheckResult> Results, IReadOnlyList<NodeTestSummary> Summaries, CollectingSink Sink)
    {
        public NodeCheckResult Check(string name) => Results.Single(r => r.Group + "/" + r.Check == name);

        /// <summary>Every result that is not Passed, for assertion messages.</summary>
        public string NotPassed => string.Join("\n", Results.Where(r => r.Result != CheckOutcome.Passed).Select(r => $"{r.Result} {r.Group}/{r.Check}: {r.Actual}"))
            + string.Join("\n", Sink.Errors.Select(e => "error: " + e.Message));
    }

    public static async Task<Run> RunAsync(string server, bool includeSlow = false, bool destructive = false, double? timeoutSeconds = null, CancellationToken cancellationToken = default)
    {
        var connection = timeoutSeconds is { } t
            ? ConnectionOptions.Default with { ConnectTimeout = TimeSpan.FromSeconds(t), ReadTimeout = TimeSpan.FromSeconds(t) }
            : ConnectionOptions.Default;
        var options = new NodeTestOptions
        {
            Servers = [ServerEndpoint.Parse(server)],
            IncludeSlow = includeSlow,
            Destructive = destructive,
            Connection = connection,
        };
        var sink = new CollectingSink();
        var summaries = await NodeTestService.RunAsync(options, sink, cancellationToken);
        return new Run(sink.ResultsOf<NodeCheckResult>().ToList(), summaries, sink);
    }
}
