using System.Globalization;
using System.Text;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// Raw protocol limit for storing: the whole reference set as pipelined <c>ms ... q</c> commands (batches
/// closed by <c>mn</c>) into a second, empty memcached. The wire bytes are generated before the clock
/// starts, so the figure is the protocol's and the server's, not SHAKE-256's.
/// </summary>
internal sealed class RawMsScenario : IScenario
{
    private const int ChunkSize = 4 * 1024 * 1024;

    public string Name => "raw-ms";

    public string Description => "pipelined 'ms <key> <len> F T q' (+ 'mn' per --batch) of the set into an empty memcached, wire bytes pre-generated; items = stored, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => [];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var (chunks, batches, valueBytes) = Generate(context);
        var target = context.StartServer();
        using var connection = await RawConnection.ConnectAsync(target.ServerEndpoint, cancellationToken);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var targetCpuBefore = ServerStats.Cpu(target.IPEndPoint);
        var meter = ResourceMeter.StartInProcess();
        var writer = Task.Run(async () =>
        {
            foreach (var (chunk, length) in chunks)
                await connection.SendAsync(chunk.AsMemory(0, length), linked.Token);
        }, linked.Token);
        var reader = Task.Run(() => CountNoOpsAsync(connection, batches, linked.Token), linked.Token);
        if (await Task.WhenAny(writer, reader) is { IsFaulted: true })
            await linked.CancelAsync();
        await reader;
        await writer;
        var result = meter.Finish(context.Count, valueBytes, string.Create(CultureInfo.InvariantCulture,
            $"batch {context.BatchSize}, unwindowed stream, 1 connection; {chunks.Count * (long)ChunkSize / (1024 * 1024)} MiB of wire bytes held in memory"));

        result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"target server cpu {ServerStats.Cpu(target.IPEndPoint) - targetCpuBefore:F2} s"));
        var stored = (long)target.Stat("curr_items");
        if (stored != context.Count)
            result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"target holds {stored} items, expected {context.Count}"));
        return result;
    }

    private static (List<(byte[] Chunk, int Length)> Chunks, long Batches, long ValueBytes) Generate(ScenarioContext context)
    {
        var chunks = new List<(byte[], int)>();
        var chunk = new byte[ChunkSize];
        var used = 0;
        long batches = 0, valueBytes = 0;
        var inBatch = 0;
        var end = context.Start + context.Count;
        for (var n = context.Start; n < end; n++)
        {
            if (ChunkSize - used < DataSetCommands.MaxMetaSetLength + 4)
            {
                chunks.Add((chunk, used));
                chunk = new byte[ChunkSize];
                used = 0;
            }
            used += DataSetCommands.WriteMetaSet(n, chunk.AsSpan(used), context.Seed);
            valueBytes += ReferenceDataSet.ValueSize(n, context.Seed);
            if (++inBatch == context.BatchSize || n == end - 1)
            {
                "mn\r\n"u8.CopyTo(chunk.AsSpan(used));
                used += 4;
                inBatch = 0;
                batches++;
            }
        }
        chunks.Add((chunk, used));
        return (chunks, batches, valueBytes);
    }

    private static async Task CountNoOpsAsync(RawConnection connection, long batches, CancellationToken cancellationToken)
    {
        long seen = 0;
        while (seen < batches)
        {
            while (seen < batches && connection.TryReadLine(out var line))
            {
                if (!line.SequenceEqual("MN"u8))
                    throw new InvalidDataException($"Store failed: the server replied '{Encoding.ASCII.GetString(line)}'.");
                seen++;
            }
            if (seen < batches)
                await connection.FillAsync(cancellationToken);
        }
    }
}
