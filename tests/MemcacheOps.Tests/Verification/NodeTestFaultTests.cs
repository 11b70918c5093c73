using System.Diagnostics;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Verification.NodeChecks;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Verification;

/// <summary>
/// Test-MemcacheNode against servers that misbehave on purpose: a loopback proxy that corrupts one byte of
/// large values, one that freezes mid-run, a port where nothing listens, and a run cancelled half way.
/// </summary>
public sealed class NodeTestFaultTests : IAsyncLifetime
{
    private MemcachedProcess _server = null!;

    public Task InitializeAsync()
    {
        _server = MemcachedProcess.Start(memoryMb: 64);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_proxy_that_corrupts_one_byte_of_large_values_fails_the_checks_that_read_them_and_the_cli_exits_1()
    {
        await using var proxy = new TamperingProxy(_server.IPEndPoint, corruptValuesFrom: 64 * 1024);

        var run = await NodeTestRunner.RunAsync(proxy.Endpoint);

        var summary = Assert.Single(run.Summaries);
        Assert.False(summary.Passed);
        Assert.Null(summary.Error);
        Assert.True(proxy.Corrupted > 0);
        // Exactly the checks that read values of 64 KiB or more; every other check still passes.
        Assert.Equal(["Values/ItemSizeMax", "Values/SlabBoundaries"], summary.FailedChecks.Order(StringComparer.Ordinal));
        Assert.Matches(@"^get of 1,048,\d{3} bytes: the value is not the one written: byte 524,\d{3} of 1,048,\d{3} differs: 0x[0-9A-F]{2} instead of 0x[0-9A-F]{2}$",
            run.Check("Values/ItemSizeMax").Actual);
        Assert.Contains("differs", run.Check("Values/SlabBoundaries").Actual, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Passed, run.Check("Server/Cleanup").Result);

        var (code, output, _) = await CliRunner.RunAsync("test", "--server", proxy.Endpoint);
        Assert.Equal(1, code);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("FAIL  " + proxy.Endpoint + "  Values/ItemSizeMax ", StringComparison.Ordinal) && l.Contains("differs", StringComparison.Ordinal));
        Assert.Contains("failed: Values/SlabBoundaries, Values/ItemSizeMax", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_answers_STORED_instead_of_NOT_STORED_fails_each_check_that_sees_it_naming_the_step()
    {
        await using var proxy = new TamperingProxy(_server.IPEndPoint, replaceReply: ("NOT_STORED", "STORED"));

        var run = await NodeTestRunner.RunAsync(proxy.Endpoint);

        var summary = Assert.Single(run.Summaries);
        Assert.False(summary.Passed);
        Assert.Null(summary.Error);
        Assert.Equal("add of an existing key: expected NOT_STORED, got 'STORED'", run.Check("Text/Add").Actual);
        Assert.Equal("replace of a missing key: expected NOT_STORED, got 'STORED'", run.Check("Text/Replace").Actual);
        Assert.Equal(["Missing/Text", "Text/Add", "Text/Append", "Text/Prepend", "Text/Replace"], summary.FailedChecks.Order(StringComparer.Ordinal));
        // Each failure is its own: the connection is reopened and the other checks still pass.
        Assert.Equal(CheckOutcome.Passed, run.Check("Text/Cas").Result);
        Assert.Equal(CheckOutcome.Passed, run.Check("Meta/SetModes").Result);
        Assert.Equal(CheckOutcome.Passed, run.Check("Server/Cleanup").Result);
    }

    [Fact]
    public async Task A_server_without_meta_commands_is_tested_through_the_text_protocol_and_the_meta_checks_say_why_they_were_skipped()
    {
        await using var proxy = new TamperingProxy(_server.IPEndPoint, withoutMeta: true);

        var run = await NodeTestRunner.RunAsync(proxy.Endpoint);

        var summary = Assert.Single(run.Summaries);
        Assert.True(summary.Passed, run.NotPassed);
        Assert.Contains("no meta commands", run.Check("Server/Discover").Actual, StringComparison.Ordinal);
        var skipped = run.Results.Where(r => r.Result == CheckOutcome.Skipped).ToList();
        Assert.All(skipped.Where(r => r.Group == "Meta"), r => Assert.StartsWith("needs meta commands", r.Actual, StringComparison.Ordinal));
        Assert.Equal(NodeCheckCatalog.All.Count(c => c.Needs.HasFlag(CheckNeeds.MetaCommands)) + 2, skipped.Count);
        Assert.True(summary.PassedCount >= 30, $"{summary.PassedCount} passed");
        // Without me the item overhead comes from memcached's formula; the largest value still fits exactly.
        Assert.Equal("1,048,480 bytes exact (set/get)", run.Check("Values/ItemSizeMax").Actual);
        Assert.Contains("class not confirmed (no me command)", run.Check("Values/SlabBoundaries").Actual, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Passed, run.Check("Server/Cleanup").Result);
        Assert.Empty(TestKeyExpiries(_server));
    }

    [Fact]
    public async Task A_server_that_freezes_mid_run_ends_the_run_with_an_error_within_its_timeouts_and_leaves_only_expiring_keys()
    {
        await using var proxy = new TamperingProxy(_server.IPEndPoint, freezeOn: "pipe:large:0000");
        var clock = Stopwatch.StartNew();

        var run = await NodeTestRunner.RunAsync(proxy.Endpoint, timeoutSeconds: 2);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.True(proxy.Frozen);
        var summary = Assert.Single(run.Summaries);
        Assert.False(summary.Passed);
        Assert.Contains("stopped answering after check Pipeline/ReadWhileWriting", summary.Error, StringComparison.Ordinal);
        var error = Assert.Single(run.Sink.Errors);
        Assert.Equal(proxy.Endpoint, error.Target);
        Assert.Equal(CheckOutcome.Failed, run.Check("Pipeline/ReadWhileWriting").Result);
        var cleanup = run.Check("Server/Cleanup");
        Assert.Equal(CheckOutcome.Failed, cleanup.Result);
        Assert.Contains("expire by themselves within 10 minutes", cleanup.Actual, StringComparison.Ordinal);
        // What the frozen run left behind on the real server all expires: nothing was written without a TTL.
        var left = TestKeyExpiries(_server);
        Assert.NotEmpty(left);
        Assert.All(left, exp => Assert.NotEqual("-1", exp));
    }

    [Fact]
    public async Task A_cancelled_run_still_deletes_every_key_it_wrote()
    {
        using var cancel = new CancellationTokenSource();
        var sink = new CancelAfterSink(cancel, results: 25);
        var options = new NodeTestOptions { Servers = [_server.ServerEndpoint] };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NodeTestService.RunAsync(options, sink, cancel.Token));

        Assert.Empty(TestKeyExpiries(_server));
    }

    [Fact]
    public async Task An_unreachable_server_is_an_error_for_that_server_and_the_cli_exits_2()
    {
        var closed = $"127.0.0.1:{LoopbackPorts.Take()}";

        var run = await NodeTestRunner.RunAsync(closed);

        Assert.Empty(run.Results);
        var error = Assert.Single(run.Sink.Errors);
        Assert.Equal("MemcacheConnectionFailed", error.ErrorId);
        var summary = Assert.Single(run.Summaries);
        Assert.False(summary.Passed);
        Assert.Null(summary.Version);
        Assert.Contains("Cannot connect", summary.Error, StringComparison.Ordinal);

        var (code, output, errors) = await CliRunner.RunAsync("test", "--server", closed, "--quiet");
        Assert.Equal(2, code);
        Assert.StartsWith(closed + ": could not run", output, StringComparison.Ordinal);
        Assert.Contains("[MemcacheConnectionFailed]", errors, StringComparison.Ordinal);
    }

    /// <summary>The expiry field of every key of any test run still on the server (from lru_crawler metadump all).</summary>
    private static List<string> TestKeyExpiries(MemcachedProcess server)
    {
        var dump = server.Send("lru_crawler metadump all\r\n", "END\r\n");
        return dump.Split('\n')
            .Where(l => l.StartsWith("key=" + Uri.EscapeDataString(TestKeys.PrefixBase), StringComparison.Ordinal))
            .Select(l => l.Split(' ').Single(f => f.StartsWith("exp=", StringComparison.Ordinal))[4..])
            .ToList();
    }

    /// <summary>Cancels the run once it has reported a number of results, as Ctrl+C would.</summary>
    private sealed class CancelAfterSink(CancellationTokenSource cancel, int results) : IOperationSink
    {
        private int _seen;

        public ValueTask EmitAsync(object result, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _seen) == results)
                cancel.Cancel();
            return ValueTask.CompletedTask;
        }

        public void Error(MemcacheException error)
        {
        }

        public void Warning(string message)
        {
        }

        public void Verbose(string message)
        {
        }

        public void Progress(ProgressSnapshot snapshot)
        {
        }
    }
}
