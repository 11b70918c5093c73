using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// The unavoidable work of an export, by the raw programs at the same time: the metadump listing of the
/// source (raw-metadump), the pipelined mg fetch of the known keys (raw-mg), and appending every value
/// received to a file on the scratch disk, kept out of the page cache behind a window and forced to disk
/// at the end (<see cref="RawDumpFile"/>). No records, checksums or manifest: what an export adds to
/// this is its own cost, and what this adds to raw-mg is the machine's.
/// </summary>
internal sealed class RawDumpScenario : IScenario
{
    public string Name => "raw-dump";

    public string Description => "raw-metadump and raw-mg at the same time, the values appended to a file (page-cache window, fsync); items = values, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-mg", "raw-list-mg"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(context.ScratchDirectory, "raw-dump");
        Directory.CreateDirectory(directory);
        using var listingConnection = await RawConnection.ConnectAsync(context.Source, cancellationToken);
        var meter = ResourceMeter.StartInProcess();
        var listing = Task.Run(() => RawMetadump.CountAsync(listingConnection, context.Source, cancellationToken), cancellationToken);
        var fetched = await RawFetchPipeline.RunAsync(context.Source, FetchCommand.MetaGet, context.Start, context.Count,
            context.Connections, context.BatchSize, context.Window, cancellationToken, dumpDirectory: directory);
        var listed = await listing;
        var result = meter.Finish(fetched.Items, fetched.Bytes, RawNotes.Describe(context, fetched.Items));
        var written = Directory.EnumerateFiles(directory).Sum(f => new FileInfo(f).Length);
        result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"listed {listed.Lines} keys; wrote {written / (1024.0 * 1024):F1} MiB"));
        result.Notes.AddRange(RawMetadump.Notes(listed, context.Count));
        return result;
    }
}
