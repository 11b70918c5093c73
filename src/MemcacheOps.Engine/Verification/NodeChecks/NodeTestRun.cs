using System.Diagnostics;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// Every check on one server, one after the other on one connection: discovery first, then the catalog,
/// then the cleanup of the run's keys. A failed check may leave replies unread, so the connection is
/// reopened (and must answer <c>version</c>) before the next one; a server that cannot be reopened ends the
/// run with an error, because the remaining checks could not run.
/// </summary>
internal sealed class NodeTestRun
{
    private readonly ServerEndpoint _server;
    private readonly NodeTestOptions _options;
    private readonly IReadOnlyList<NodeCheck> _checks;
    private readonly IOperationSink _sink;
    private readonly ProgressTracker _progress;
    private readonly string _name;
    private readonly List<NodeCheckResult> _results = [];

    public NodeTestRun(ServerEndpoint server, NodeTestOptions options, IReadOnlyList<NodeCheck> checks, IOperationSink sink, ProgressTracker progress)
    {
        _server = server;
        _options = options;
        _checks = checks;
        _sink = sink;
        _progress = progress;
        _name = server.ToString();
    }

    public async Task<NodeTestSummary> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var keys = new TestKeys();
        string? version = null;
        string? error = null;
        NodeProfile? profile = null;
        NodeCheckResult? cleanup = null;
        await using (var session = new NodeSession(_server, _options.Connection))
        {
            try
            {
                var started = Stopwatch.StartNew();
                var info = await session.OpenAsync(cancellationToken).ConfigureAwait(false);
                version = info.VersionText;
                profile = await NodeDiscovery.DiscoverAsync(session, info, keys, cancellationToken).ConfigureAwait(false);
                await ReportAsync(Result("Server", "Discover", CheckOutcome.Passed, NodeDiscovery.Expected, profile.Describe(), started.Elapsed), cancellationToken).ConfigureAwait(false);

                var context = new NodeCheckContext(session, profile, keys, new TestValues(), _options);
                foreach (var check in _checks)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var traffic = session.Traffic;
                    var (result, reopen) = await RunCheckAsync(check, context, cancellationToken).ConfigureAwait(false);
                    await ReportAsync(result, cancellationToken, Math.Max(0, session.Traffic - traffic)).ConfigureAwait(false);
                    if (reopen)
                        await ReopenAsync(session, check, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (MemcacheException ex) when (!cancellationToken.IsCancellationRequested)
            {
                error = ex.Message;
                _sink.Error(ex);
            }
            finally
            {
                // Also when cancelled or failed: the keys written so far must not stay behind.
                if (version is not null)
                    cleanup = await CleanupAsync(keys, profile?.MetaCommands ?? false).ConfigureAwait(false);
            }
        }
        if (cleanup is not null)
            await ReportAsync(cleanup, cancellationToken).ConfigureAwait(false);
        return new NodeTestSummary
        {
            Server = _name,
            Version = version,
            PassedCount = _results.Count(r => r.Result == CheckOutcome.Passed),
            FailedCount = _results.Count(r => r.Result == CheckOutcome.Failed),
            SkippedCount = _results.Count(r => r.Result == CheckOutcome.Skipped),
            FailedChecks = [.. _results.Where(r => r.Result == CheckOutcome.Failed).Select(r => r.Group + "/" + r.Check)],
            Error = error,
            Duration = clock.Elapsed,
        };
    }

    private async Task<(NodeCheckResult Result, bool Reopen)> RunCheckAsync(NodeCheck check, NodeCheckContext context, CancellationToken cancellationToken)
    {
        if (WhyNotRun(check, context.Profile) is { } reason)
            return (Result(check, CheckOutcome.Skipped, reason, TimeSpan.Zero), false);
        var clock = Stopwatch.StartNew();
        try
        {
            var actual = await check.RunAsync(context, cancellationToken).ConfigureAwait(false);
            return (Result(check, CheckOutcome.Passed, actual, clock.Elapsed), false);
        }
        catch (CheckFailedException ex)
        {
            return (Result(check, CheckOutcome.Failed, ex.Message, clock.Elapsed), true);
        }
        catch (CheckSkippedException ex)
        {
            return (Result(check, CheckOutcome.Skipped, ex.Message, clock.Elapsed), true);
        }
        catch (MemcacheException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A timeout, a closed connection or a reply the protocol parser rejects: this check failed.
            return (Result(check, CheckOutcome.Failed, ex.Message, clock.Elapsed), true);
        }
    }

    private string? WhyNotRun(NodeCheck check, NodeProfile profile)
    {
        if (check.Needs.HasFlag(CheckNeeds.MetaCommands) && !profile.MetaCommands)
            return "needs meta commands (memcached 1.6 or later), which this server does not answer";
        if (check.Needs.HasFlag(CheckNeeds.Slow) && !_options.IncludeSlow)
            return "waits for items to expire; run with -IncludeSlow (--include-slow)";
        if (check.Needs.HasFlag(CheckNeeds.Destructive) && !_options.Destructive)
            return "changes items that are not the run's own; run with -Destructive (--destructive)";
        return null;
    }

    private async Task ReopenAsync(NodeSession session, NodeCheck after, CancellationToken cancellationToken)
    {
        try
        {
            await session.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MemcacheException ex)
        {
            throw new MemcacheException(ex.Kind, ex.ErrorId,
                $"Server {_name} stopped answering after check {after}, so the remaining checks could not run: {ex.Message}", _name, ex);
        }
    }

    /// <summary>Deletes the run's keys within its own time limit, whatever state the checks ended in.</summary>
    private async Task<NodeCheckResult?> CleanupAsync(TestKeys keys, bool meta)
    {
        var clock = Stopwatch.StartNew();
        using var limit = new CancellationTokenSource(_options.Connection.ConnectTimeout + 3 * _options.Connection.ReadTimeout);
        try
        {
            await using var session = new NodeSession(_server, _options.Connection);
            await session.OpenAsync(limit.Token).ConfigureAwait(false);
            var actual = await NodeCleanup.RunAsync(session, keys, meta, limit.Token).ConfigureAwait(false);
            return Result("Server", "Cleanup", CheckOutcome.Passed, NodeCleanup.Expected, actual, clock.Elapsed);
        }
        catch (Exception ex) when (ex is CheckFailedException or MemcacheException or OperationCanceledException)
        {
            var why = ex is OperationCanceledException ? "the server did not answer in time" : ex.Message;
            return Result("Server", "Cleanup", CheckOutcome.Failed, NodeCleanup.Expected,
                $"{why.TrimEnd('.')}. The run's keys (prefix {keys.Prefix}) expire by themselves within {NodeCheckContext.SafetyTtl / 60} minutes.", clock.Elapsed);
        }
    }

    private NodeCheckResult Result(NodeCheck check, CheckOutcome outcome, string actual, TimeSpan duration)
        => Result(check.Group, check.Name, outcome, check.Expected, actual, duration);

    private NodeCheckResult Result(string group, string name, CheckOutcome outcome, string expected, string actual, TimeSpan duration)
        => new()
        {
            Server = _name,
            Group = group,
            Check = name,
            Result = outcome,
            Expected = expected,
            Actual = actual,
            Duration = duration,
        };

    private async Task ReportAsync(NodeCheckResult result, CancellationToken cancellationToken, long bytes = 0)
    {
        _results.Add(result);
        _progress.Add(1, bytes);
        if (!_options.SummaryOnly)
            await _sink.EmitAsync(result, cancellationToken).ConfigureAwait(false);
    }
}
