using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// Test-MemcacheNode / <c>memcacheops test</c>: proves a server behaves like memcached before traffic is
/// sent to it. Every server is checked at the same time, each on its own connection; results stream as
/// checks finish. An unreachable server is an error for that server only.
/// </summary>
public static class NodeTestService
{
    public const string Activity = "Test-MemcacheNode";

    /// <summary>Runs every check on every server; returns one summary per server, in the order given.</summary>
    public static async Task<IReadOnlyList<NodeTestSummary>> RunAsync(NodeTestOptions options, IOperationSink sink, CancellationToken cancellationToken)
    {
        if (options.Servers.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoServer", "No server was given. Name at least one, e.g. 127.0.0.1:11211.");
        var checks = NodeCheckCatalog.All;
        using var progress = new ProgressTracker(sink, Activity, "checks");
        // Discover and Cleanup are reported like checks.
        progress.SetTotal(options.Servers.Count * (checks.Count + 2L));
        var runs = options.Servers
            .Select(server => Task.Run(() => new NodeTestRun(server, options, checks, sink, progress).RunAsync(cancellationToken), CancellationToken.None))
            .ToArray();
        var summaries = new List<NodeTestSummary>(runs.Length);
        try
        {
            foreach (var run in runs)
            {
                var summary = await run.ConfigureAwait(false);
                summaries.Add(summary);
                if (options.SummaryOnly)
                    await sink.EmitAsync(summary, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Every server's run, and its cleanup, has ended before this returns, whatever happened to one of them.
            await Task.WhenAll(runs).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
        progress.Complete();
        return summaries;
    }
}
