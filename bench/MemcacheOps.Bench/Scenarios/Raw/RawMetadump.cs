using System.Globalization;
using System.Text;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// Reads <c>lru_crawler metadump hash</c> over a plain socket as fast as it arrives, counting lines
/// without parsing them. The stream ends with END\r\n while item lines end with a bare \n.
/// </summary>
internal static class RawMetadump
{
    private const int BusyRetries = 50;

    internal readonly record struct Listing(long Lines, long Bytes, int Busy);

    /// <summary>Lists every key of <paramref name="source"/> over an open connection and counts the lines.</summary>
    public static async Task<Listing> CountAsync(RawConnection connection, ServerEndpoint source, CancellationToken cancellationToken)
    {
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
                throw new InvalidOperationException($"{source} answered BUSY to metadump {busy} times.");
            await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Min(busy, 10)), cancellationToken);
        }
        var start = connection.BytesReceived - connection.BufferedCount;
        if (!connection.Buffered.StartsWith("key="u8) && !connection.Buffered.StartsWith("END\r\n"u8))
        {
            var line = connection.Buffered[..Math.Min(connection.BufferedCount, 200)];
            throw new InvalidDataException($"{source} refused the metadump: '{Encoding.ASCII.GetString(line).Trim()}'.");
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
        return new Listing(newlines - 1 /* the END line */, connection.BytesReceived - start, busy);
    }

    /// <summary>BUSY retries, and a line count that differs from the loaded keys.</summary>
    public static IEnumerable<string> Notes(Listing listing, long loaded)
    {
        if (listing.Busy > 0)
            yield return string.Create(CultureInfo.InvariantCulture, $"{listing.Busy} BUSY replies retried");
        if (listing.Lines != loaded)
            yield return string.Create(CultureInfo.InvariantCulture, $"{listing.Lines} lines for {loaded} loaded keys");
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
