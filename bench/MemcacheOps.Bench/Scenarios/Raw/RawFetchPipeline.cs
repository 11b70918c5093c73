using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Text;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>Which command fetches the known keys.</summary>
internal enum FetchCommand
{
    /// <summary><c>get k1 k2 ...\r\n</c> per batch, answered by VALUE blocks and END.</summary>
    TextMultiGet,

    /// <summary><c>mg k v f t q\r\n</c> per key and <c>mn\r\n</c> per batch, answered by VA blocks and MN.</summary>
    MetaGet,
}

/// <summary>
/// Fetches reference keys over plain sockets (or TLS: .NET's SslStream, nothing of the engine) as fast as the protocol allows: per connection one writer
/// that keeps <c>window</c> batches in flight (coalescing ready batches into one send) and one reader that
/// parses replies in place and skips value bytes without copying them (or, dumping, copies them once into
/// the file's buffer). This is the yardstick the engine's fetch path is compared with, so it does no
/// per-item allocation.
/// </summary>
internal static class RawFetchPipeline
{
    internal readonly record struct Totals(long Items, long Bytes);

    /// <summary>
    /// Fetches keys [first, first + count) split into contiguous ranges over <paramref name="connections"/>
    /// connections. With <paramref name="order"/>, position p fetches key number order[p] instead of p
    /// (first must then be 0 and count at most order.Length). With <paramref name="dumpDirectory"/>, each
    /// connection also writes the value bytes it receives to a file there (<see cref="RawDumpFile"/>).
    /// </summary>
    public static async Task<Totals> RunAsync(ServerEndpoint server, FetchCommand command, long first, long count,
        int connections, int batchSize, int window, CancellationToken cancellationToken, long[]? order = null, string? dumpDirectory = null,
        string? tlsCaFile = null)
    {
        var tasks = new Task<Totals>[connections];
        for (var i = 0; i < connections; i++)
        {
            var from = first + count * i / connections;
            var to = first + count * (i + 1) / connections;
            var dumpPath = dumpDirectory is null ? null : Path.Combine(dumpDirectory, $"values-{i}.raw");
            tasks[i] = Task.Run(() => RunOneAsync(server, command, from, to - from, batchSize, window, order, dumpPath, tlsCaFile, cancellationToken), cancellationToken);
        }
        var results = await Task.WhenAll(tasks);
        long items = 0, bytes = 0;
        foreach (var r in results)
        {
            items += r.Items;
            bytes += r.Bytes;
        }
        return new Totals(items, bytes);
    }

    private static async Task<Totals> RunOneAsync(ServerEndpoint server, FetchCommand command, long first, long count,
        int batchSize, int window, long[]? order, string? dumpPath, string? tlsCaFile, CancellationToken cancellationToken)
    {
        if (count == 0)
            return default;
        using var dump = dumpPath is null ? null : new RawDumpFile(dumpPath);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var connection = await RawConnection.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port), tlsCaFile, linked.Token);
        using var credits = new SemaphoreSlim(window, window);
        var batches = (count + batchSize - 1) / batchSize;
        var writer = Task.Run(() => WriteAsync(connection, command, first, count, batchSize, window, order, credits, linked.Token), linked.Token);
        var reader = Task.Run(() => ReadAsync(connection, command, batches, credits, dump, linked.Token), linked.Token);
        try
        {
            if (await Task.WhenAny(writer, reader) is { IsFaulted: true })
                await linked.CancelAsync();
            await writer;
            var totals = await reader;
            dump?.Complete();
            return totals;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // One side failed and cancelled the other: report the real failure.
            if (reader.IsFaulted)
                await reader;
            await writer;
            throw;
        }
    }

    private static int MaxBatchLength(FetchCommand command, int batchSize) => command switch
    {
        FetchCommand.TextMultiGet => 6 + batchSize * (ReferenceDataSet.MaxKeyLength + 1),
        _ => 4 + batchSize * (ReferenceDataSet.MaxKeyLength + 16),
    };

    private static async Task WriteAsync(RawConnection connection, FetchCommand command, long first, long count, int batchSize,
        int window, long[]? order, SemaphoreSlim credits, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(window * MaxBatchLength(command, batchSize));
        try
        {
            var next = first;
            var end = first + count;
            while (next < end)
            {
                await credits.WaitAsync(cancellationToken);
                var written = 0;
                do
                {
                    var last = Math.Min(next + batchSize, end);
                    written += WriteBatch(command, next, last, order, buffer.AsSpan(written));
                    next = last;
                }
                while (next < end && credits.Wait(0, CancellationToken.None)); // coalesce batches whose credit is already free
                await connection.SendAsync(buffer.AsMemory(0, written), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int WriteBatch(FetchCommand command, long first, long last, long[]? order, Span<byte> destination)
    {
        var w = 0;
        if (command == FetchCommand.TextMultiGet)
        {
            "get"u8.CopyTo(destination);
            w = 3;
            for (var n = first; n < last; n++)
            {
                destination[w++] = (byte)' ';
                w += ReferenceDataSet.WriteKey(order is null ? n : order[n], destination[w..]);
            }
            "\r\n"u8.CopyTo(destination[w..]);
            return w + 2;
        }
        for (var n = first; n < last; n++)
        {
            "mg "u8.CopyTo(destination[w..]);
            w += 3;
            w += ReferenceDataSet.WriteKey(order is null ? n : order[n], destination[w..]);
            " v f t q\r\n"u8.CopyTo(destination[w..]);
            w += 10;
        }
        "mn\r\n"u8.CopyTo(destination[w..]);
        return w + 4;
    }

    private static async Task<Totals> ReadAsync(RawConnection connection, FetchCommand command, long batches,
        SemaphoreSlim credits, RawDumpFile? dump, CancellationToken cancellationToken)
    {
        long items = 0, bytes = 0, done = 0, skip = 0;
        var header = command == FetchCommand.TextMultiGet ? "VALUE "u8.ToArray() : "VA "u8.ToArray();
        var batchEnd = command == FetchCommand.TextMultiGet ? "END"u8.ToArray() : "MN"u8.ToArray();
        while (done < batches)
        {
            if (skip > 0)
            {
                if (dump is not null)
                    dump.Write(connection.Buffered[..(int)Math.Min(skip, connection.BufferedCount)]);
                skip -= connection.Skip(skip);
                if (skip > 0)
                {
                    await connection.FillAsync(cancellationToken);
                    continue;
                }
            }
            if (!connection.TryReadLine(out var line))
            {
                await connection.FillAsync(cancellationToken);
                continue;
            }
            if (line.StartsWith(header))
            {
                var length = ValueLength(command, line);
                items++;
                bytes += length;
                skip = length + 2;
            }
            else if (line.SequenceEqual(batchEnd))
            {
                done++;
                credits.Release();
            }
            else
            {
                throw new InvalidDataException($"Unexpected reply while fetching: '{Encoding.ASCII.GetString(line)}'.");
            }
        }
        return new Totals(items, bytes);
    }

    /// <summary>"VALUE key flags bytes" (last token) or "VA bytes flags..." (second token).</summary>
    private static int ValueLength(FetchCommand command, ReadOnlySpan<byte> line)
    {
        var token = command == FetchCommand.TextMultiGet ? line[(line.LastIndexOf((byte)' ') + 1)..] : line[3..];
        if (!Utf8Parser.TryParse(token, out int length, out _) || length < 0)
            throw new InvalidDataException($"Malformed value header: '{Encoding.ASCII.GetString(line)}'.");
        return length;
    }
}
