using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Tools;

/// <summary>
/// memcached-tool's <c>dump</c> (the perl script shipped with memcached) with its output sent to
/// /dev/null. In 1.6.18 it lists keys with <c>lru_crawler metadump all</c> (an LRU walk that can miss or
/// repeat keys on a busy server), then fetches them with one <c>get</c> per round trip and prints
/// <c>add key flags exptime len</c> records. How many it dumped is read from the server's get_hits:
/// reading its 0.5 GB of output through a pipe would cost the harness more CPU than the tool itself.
/// </summary>
internal sealed class MemcachedToolDumpScenario : IScenario
{
    public string Name => "memcached-tool";

    public string Description => "'memcached-tool <server> dump > /dev/null' (perl, ships with memcached); items = values fetched (server get_hits), bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-get"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var script = ExternalTool.Find("memcached-tool", "/usr/share/memcached/scripts/memcached-tool");
        if (script is null)
            return ScenarioResult.Skipped(Name, "memcached-tool not found (it ships in the memcached package: dpkg -L memcached | grep memcached-tool)");
        var perl = ExternalTool.Find("perl", "/usr/bin/perl");
        if (perl is null)
            return ScenarioResult.Skipped(Name, "perl is not installed");

        // Which keys it dumped is not known, so value bytes are counted only for a complete dump.
        var allValueBytes = ReferenceDataSet.Totals(context.Start, context.Count, context.Seed).ValueBytes;
        var hitsBefore = MemcachedText.Stat(context.SourceAddress, "get_hits");
        var meter = ResourceMeter.StartExternal();
        var run = await ExternalTool.RunDiscardingOutputAsync(perl, [script, context.Source.ToString(), "dump"], cancellationToken);
        var dumped = (long)(MemcachedText.Stat(context.SourceAddress, "get_hits") - hitsBefore);
        var bytes = dumped == context.Count ? allValueBytes : 0;
        var result = meter.Finish(dumped, bytes,
            string.Create(CultureInfo.InvariantCulture, $"dumped {dumped} of {context.Count} items"));
        result.PeakRssBytes = run.PeakRssBytes;
        if (bytes == 0)
            result.Notes.Add("incomplete dump: value bytes not counted");
        if (run.ExitCode != 0)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"exit code {run.ExitCode}"));
        return result;
    }
}
