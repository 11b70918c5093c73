using System.Buffers.Text;
using System.Globalization;
using System.Text;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Tools;

/// <summary>
/// memcached-tool's <c>dump</c> (the perl script shipped with memcached): lists keys with
/// <c>lru_crawler metadump all</c>, then fetches them one <c>get</c> per round trip and prints
/// <c>add key flags exptime len</c> records. Its listing walks the LRUs, so its count can fall short.
/// </summary>
internal sealed class MemcachedToolDumpScenario : IScenario
{
    public string Name => "memcached-tool";

    public string Description => "'memcached-tool <server> dump' (perl, ships with memcached), output counted and discarded; items = records, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-get"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var script = ExternalTool.Find("memcached-tool", "/usr/share/memcached/scripts/memcached-tool");
        if (script is null)
            return ScenarioResult.Skipped(Name, "memcached-tool not found (it ships in the memcached package: dpkg -L memcached | grep memcached-tool)");
        var perl = ExternalTool.Find("perl", "/usr/bin/perl");
        if (perl is null)
            return ScenarioResult.Skipped(Name, "perl is not installed");

        var meter = ResourceMeter.StartExternal();
        var run = await ExternalTool.RunAsync(perl, [script, context.Source.ToString(), "dump"], CountRecordsAsync, cancellationToken);
        var result = meter.Finish(run.Output.Records, run.Output.ValueBytes,
            string.Create(CultureInfo.InvariantCulture, $"dumped {run.Output.Records} of {context.Count} items (listing by 'metadump all' can miss some)"));
        result.PeakRssBytes = run.PeakRssBytes;
        if (run.ExitCode != 0)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"exit code {run.ExitCode}"));
        return result;
    }

    /// <summary>Parses "add &lt;key&gt; &lt;flags&gt; &lt;exptime&gt; &lt;len&gt;\r\n&lt;data&gt;\r\n" records, skipping the data.</summary>
    private static async Task<(long Records, long ValueBytes)> CountRecordsAsync(StreamByteReader output, CancellationToken cancellationToken)
    {
        long records = 0, valueBytes = 0, skip = 0;
        while (true)
        {
            if (skip > 0)
            {
                skip -= output.Skip(skip);
                if (skip > 0 && !await output.TryFillAsync(cancellationToken))
                    throw new InvalidDataException("memcached-tool output ended inside a value.");
                continue;
            }
            if (!output.TryReadLine(out var line))
            {
                if (await output.TryFillAsync(cancellationToken))
                    continue;
                if (output.BufferedCount > 0)
                    throw new InvalidDataException("memcached-tool output ended inside a line.");
                return (records, valueBytes);
            }
            if (!line.StartsWith("add "u8) || !Utf8Parser.TryParse(line[(line.LastIndexOf((byte)' ') + 1)..], out int length, out _))
                throw new InvalidDataException($"Unexpected memcached-tool output: '{Encoding.ASCII.GetString(line)}'.");
            records++;
            valueBytes += length;
            skip = length + 2;
        }
    }
}
