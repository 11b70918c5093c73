using System.Globalization;
using System.Text;
using MemcacheOps.Bench.Harness;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// Raw protocol limit for listing keys: <c>lru_crawler metadump hash</c> read as fast as it arrives,
/// counting lines without parsing them. The stream ends with END\r\n while item lines end with a bare \n.
/// </summary>
internal sealed class RawMetadumpScenario : IScenario
{
    private const int BusyRetries = 50;

    public string Name => "raw-metadump";

    public string Description => "'lru_crawler metadump hash' over a plain socket, counting lines until END; items = lines, bytes = listing bytes";

    public IReadOnlyList<string> ComparesWith => [];

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        using var connection = await RawConnection.ConnectAsync(context.Source, cancellationToken);
        var meter = ResourceMeter.StartInProcess();
        var busy = 0;
        while (true)
        {
            await connection.SendAsync("lru_crawler metadump hash\r\n"u8.ToArray(), cancellationToken);
            await connection.EnsureBufferedAsync(5, cancellationToken); // the shortest reply is END\r\n
            if (!connection.Buffered.StartsWith("BUSY"u8))
                break;
            // The server's own crawler (or another dump) is running: wait and ask again.
            while (!connection.TryReadLine(out _))
                await connection.FillAsync(cancellationToken);
            if (++busy > BusyRetries)
                throw new InvalidOperationException($"{context.Source} answered BUSY to metadump {busy} times.");
            await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Min(busy, 10)), cancellationToken);
        }
        var start = connection.BytesReceived - connection.BufferedCount;
        if (!connection.Buffered.StartsWith("key="u8) && !connection.Buffered.StartsWith("END\r\n"u8))
        {
            var line = connection.Buffered[..Math.Min(connection.BufferedCount, 200)];
            throw new InvalidDataException($"{context.Source} refused the metadump: '{Encoding.ASCII.GetString(line).Trim()}'.");
        }

        long newlines = 0;
        var tail = new byte[6]; // the last bytes seen, to spot "\nEND\r\n" across reads
        var tailLength = 0;
        while (true)
        {
            var chunk = connection.Buffered;
            newlines += chunk.Count((byte)'\n');
            tailLength = KeepTail(tail, tailLength, chunk);
            connection.Consume(chunk.Length);
            if (EndsWithEnd(tail.AsSpan(0, tailLength), connection.BytesReceived - start))
                break;
            await connection.FillAsync(cancellationToken);
        }
        var lines = newlines - 1; // the END line
        var bytes = connection.BytesReceived - start;
        var notes = new List<string>();
        if (busy > 0)
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{busy} BUSY replies retried"));
        if (lines != context.Count)
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{lines} lines for {context.Count} loaded keys"));
        return meter.Finish(lines, bytes, [.. notes]);
    }

    private static int KeepTail(Span<byte> tail, int tailLength, ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= tail.Length)
        {
            chunk[^tail.Length..].CopyTo(tail);
            return tail.Length;
        }
        var keep = Math.Min(tailLength, tail.Length - chunk.Length);
        tail.Slice(tailLength - keep, keep).CopyTo(tail);
        chunk.CopyTo(tail[keep..]);
        return keep + chunk.Length;
    }

    private static bool EndsWithEnd(ReadOnlySpan<byte> tail, long total)
        => total == 5 ? tail.SequenceEqual("END\r\n"u8) : tail.EndsWith("\nEND\r\n"u8);
}
