using System.Globalization;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Verification.NodeChecks;

namespace MemcacheOps.Cli.Commands;

/// <summary>
/// <c>memcacheops test</c>: the same as Test-MemcacheNode. Exit code 0 when every check passed on every
/// server, 1 when a check failed, 2 when a server could not be tested (unreachable, stopped answering).
/// </summary>
public sealed class TestCommand : ICommand
{
    public string Name => "test";

    public string Summary => "Prove a server behaves like memcached, on its own keys only (exit 0 all passed, 1 a check failed, 2 could not run).";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        // The shared connection options (TLS and authentication included), with this verb's own --quiet.
        .. CommonOptions.Connection.Where(o => o.Name != CommonOptions.Quiet.Name),
        new("include-slow", OptionKind.Flag, "Also run the checks that wait for items to expire (a few seconds more)."),
        new("destructive", OptionKind.Flag, "Also run the checks that change items that are not the run's own (flush_all deletes every item)."),
        new("quiet", OptionKind.Flag, "Print one line per server (passed or failed) instead of one per check; no progress line."),
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var options = new NodeTestOptions
        {
            Servers = CommonOptions.Servers(args),
            IncludeSlow = args.Flag("include-slow"),
            Destructive = args.Flag("destructive"),
            SummaryOnly = args.Flag("quiet"),
            Connection = CommonOptions.ConnectionOptions(args),
        };
        var sink = new ConsoleSink(console, args.Flag("json"), Format, args.Flag("quiet"));
        var summaries = await NodeTestService.RunAsync(options, sink, cancellationToken).ConfigureAwait(false);
        // Without --quiet the checks were printed one by one; each server's summary closes them.
        if (!options.SummaryOnly)
        {
            foreach (var summary in summaries)
                await sink.EmitAsync(summary, cancellationToken).ConfigureAwait(false);
        }
        if (sink.ErrorCount > 0 || summaries.Any(s => s.Error is not null))
            return ExitCodes.Error;
        return summaries.All(s => s.Passed) ? ExitCodes.Success : ExitCodes.Different;
    }

    private static void Format(object result, TextWriter w)
    {
        var c = CultureInfo.InvariantCulture;
        switch (result)
        {
            case NodeCheckResult r:
                var label = r.Result switch
                {
                    CheckOutcome.Passed => "pass",
                    CheckOutcome.Failed => "FAIL",
                    _ => "skip",
                };
                w.WriteLine(string.Create(c, $"{label}  {r.Server}  {r.Group + "/" + r.Check,-28} {r.Actual}"));
                if (r.Result == CheckOutcome.Failed)
                    w.WriteLine("      expected: " + r.Expected);
                break;
            case NodeTestSummary s:
                var verdict = s.Error is not null ? "could not run" : s.Passed ? "passed" : "FAILED";
                var version = s.Version is null ? string.Empty : " (memcached " + s.Version + ")";
                w.WriteLine(string.Create(c, $"{s.Server}{version}: {verdict}: {s.PassedCount} passed, {s.FailedCount} failed, {s.SkippedCount} skipped in {Formatting.Duration(s.Duration)}"));
                if (s.FailedChecks.Count > 0)
                    w.WriteLine("  failed: " + string.Join(", ", s.FailedChecks));
                if (s.Error is not null)
                    w.WriteLine("  error: " + s.Error);
                break;
            default:
                w.WriteLine(result);
                break;
        }
    }
}
