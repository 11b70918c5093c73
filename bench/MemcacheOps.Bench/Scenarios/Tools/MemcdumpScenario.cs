using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Tools;

/// <summary>
/// libmemcached's <c>memcdump</c>: prints every key it can list, one per line. It lists with
/// <c>stats cachedump</c>, which in memcached 1.6 walks only the COLD LRU of each slab class and stops at
/// 2 MB of text per class, so how many keys it sees depends on the LRU state (items read recently sit in
/// WARM and are not listed).
/// </summary>
internal sealed class MemcdumpScenario : IScenario
{
    public string Name => "memcdump";

    public string Description => "'memcdump --servers=<server>' (libmemcached-tools), key lines counted; items = keys listed, bytes = output bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-metadump"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var tool = ExternalTool.Find("memcdump", "/usr/bin/memcdump");
        if (tool is null)
            return ScenarioResult.Skipped(Name, "memcdump not found: apt-get install -y libmemcached-tools");

        var meter = ResourceMeter.StartExternal();
        var run = await ExternalTool.RunReadingOutputAsync(tool, ["--servers=" + context.Source], CountLinesAsync, cancellationToken);
        var result = meter.Finish(run.Output.Lines, run.Output.Bytes,
            string.Create(CultureInfo.InvariantCulture, $"listed {run.Output.Lines} of {context.Count} keys"));
        result.PeakRssBytes = run.PeakRssBytes;
        if (run.ExitCode != 0)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"exit code {run.ExitCode}"));
        return result;
    }

    private static async Task<(long Lines, long Bytes)> CountLinesAsync(StreamByteReader output, CancellationToken cancellationToken)
    {
        long lines = 0;
        while (await output.TryFillAsync(cancellationToken))
        {
            lines += output.Buffered.Count((byte)'\n');
            output.Consume(output.BufferedCount);
        }
        return (lines, output.BytesReceived);
    }
}
