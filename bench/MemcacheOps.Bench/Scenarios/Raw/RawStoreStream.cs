using System.Text;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// The whole reference set as pipelined <c>ms ... q</c> wire bytes (batches closed by <c>mn</c>),
/// generated ahead of time, and the stream that sends them while a reader counts the MN replies.
/// </summary>
internal static class RawStoreStream
{
    private const int ChunkSize = 4 * 1024 * 1024;

    internal sealed record Prepared(List<(byte[] Chunk, int Length)> Chunks, long Batches, long ValueBytes)
    {
        public long HeldMiB => Chunks.Count * (long)ChunkSize / (1024 * 1024);
    }

    /// <summary>Generates the wire bytes for the context's items (untimed preparation: SHAKE-256 is not the protocol).</summary>
    public static Prepared Generate(ScenarioContext context)
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
        return new Prepared(chunks, batches, valueBytes);
    }

    /// <summary>Sends every chunk without a window while a reader drains and checks the MN replies.</summary>
    public static async Task SendAsync(RawConnection connection, Prepared prepared, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = Task.Run(async () =>
        {
            foreach (var (chunk, length) in prepared.Chunks)
                await connection.SendAsync(chunk.AsMemory(0, length), linked.Token);
        }, linked.Token);
        var reader = Task.Run(() => CountNoOpsAsync(connection, prepared.Batches, linked.Token), linked.Token);
        if (await Task.WhenAny(writer, reader) is { IsFaulted: true })
            await linked.CancelAsync();
        await reader;
        await writer;
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
