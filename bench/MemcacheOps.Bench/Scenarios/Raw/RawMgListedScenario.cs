using System.Buffers.Text;
using System.Text;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// raw-mg, but the keys are fetched in the order <c>lru_crawler metadump hash</c> lists them, which is
/// the order any dump tool that lists the server must fetch in. raw-mg fetches in load order; the
/// harness loads the set in key order, so there memory is read sequentially, a locality no lister
/// gets. The listing is untimed preparation; only the fetch is measured.
/// </summary>
internal sealed class RawMgListedScenario : IScenario
{
    public string Name => "raw-mg-listed";

    public string Description => "raw-mg in the order 'lru_crawler metadump hash' lists the keys (the listing itself untimed); items = values, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => ["raw-mg"];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var order = await ListAsync(context, cancellationToken);
        var meter = ResourceMeter.StartInProcess();
        var totals = await RawFetchPipeline.RunAsync(context.Source, FetchCommand.MetaGet, 0, order.Length,
            context.Connections, context.BatchSize, context.Window, cancellationToken, order);
        return meter.Finish(totals.Items, totals.Bytes, RawNotes.Describe(context, totals.Items));
    }

    /// <summary>The reference key numbers in listing order (metadump percent-encodes the colon; other keys are ignored).</summary>
    private static async Task<long[]> ListAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        using var connection = await RawConnection.ConnectAsync(context.Source, cancellationToken);
        await connection.SendAsync("lru_crawler metadump hash\r\n"u8.ToArray(), cancellationToken);
        var order = new List<long>((int)context.Count);
        while (true)
        {
            if (!connection.TryReadLine(out var line))
            {
                await connection.FillAsync(cancellationToken);
                continue;
            }
            if (line.SequenceEqual("END"u8))
                return [.. order];
            if (!line.StartsWith("key=key%3A"u8))
            {
                if (line.StartsWith("key="u8))
                    continue;
                throw new InvalidDataException($"{context.Source} answered the listing with '{Encoding.ASCII.GetString(line)}' (BUSY: run again).");
            }
            if (Utf8Parser.TryParse(line["key=key%3A".Length..], out long n, out _))
                order.Add(n);
        }
    }
}
