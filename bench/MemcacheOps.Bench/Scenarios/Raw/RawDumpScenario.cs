using System.Globalization;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// The least work any dump of the source must do, done by the raw programs at the same time: the
/// metadump listing (raw-metadump), the pipelined mg fetch of the known keys (raw-mg), and every byte
/// the fetch receives written to a file with write-behind. Nothing is parsed into records, nothing
/// checksummed, the fetch does not wait for the listing, and the file is left in the page cache unless
/// <c>--opt fsync=1</c> (one fsync of the whole file at the end, which then waits for the disk). An export is
/// measured against raw-mg; this shows how far above raw-mg the export's unavoidable extra work
/// (listing and writing) puts any dump on the same machine.
/// </summary>
internal sealed class RawDumpScenario : IScenario
{
    public string Name => "raw-dump";

    public string Description => "raw-metadump and raw-mg at the same time, the fetched bytes written to a file (write-behind; --opt fsync=1 to fsync it); items = values, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-mg"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        if (context.Connections != 1)
            throw new ArgumentException("raw-dump writes one file from one connection; run it with --connections 1.");
        var durable = context.Option("fsync", 0) != 0;
        using var listingConnection = await RawConnection.ConnectAsync(context.Source, cancellationToken);
        await using var spill = new RawFileSpill(Path.Combine(context.ScratchDirectory, "raw-dump.bin"));

        var meter = ResourceMeter.StartInProcess();
        var listing = Task.Run(() => RawMetadump.CountAsync(listingConnection, context.Source, cancellationToken), cancellationToken);
        var totals = await RawFetchPipeline.RunAsync(context.Source, FetchCommand.MetaGet, context.Start, context.Count,
            1, context.BatchSize, context.Window, cancellationToken, spill: spill);
        await spill.CompleteAsync(durable, cancellationToken);
        var listed = await listing;
        var result = meter.Finish(totals.Items, totals.Bytes, RawNotes.Describe(context, totals.Items));

        result.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"listed {listed.Lines} keys ({listed.Bytes / (1024.0 * 1024):F1} MiB), wrote {spill.Written / (1024.0 * 1024):F1} MiB{(durable ? " and fsynced it" : " (no fsync)")}"));
        result.Notes.AddRange(RawMetadump.Notes(listed, context.Count));
        return result;
    }
}
