using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace MemcacheOps.Testing;

/// <summary>
/// Loads the reference data set into a server over one raw connection: a writer sends pipelined
/// <c>ms ... q</c> commands in batches closed by <c>mn</c> while a reader drains the replies at the same
/// time (memcached stops reading while its own writes are blocked, so a client must read while it
/// writes). Quiet mode hides only successes, so any reply other than <c>MN</c> is a failure.
/// </summary>
public static partial class DataSetLoader
{
    /// <summary>Items per <c>mn</c>-terminated batch.</summary>
    public const int BatchItems = 100;

    private const int SendThreshold = 256 * 1024;
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    public static Task<DataSetLoadResult> LoadAsync(MemcachedProcess server, long start, long count,
        int seed = ReferenceDataSet.DefaultSeed, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => LoadAsync(server.IPEndPoint, start, count, seed, timeout, cancellationToken);

    /// <summary>Loads items [start, start + count); throws on the first error reply, naming the batch it belongs to.</summary>
    public static async Task<DataSetLoadResult> LoadAsync(IPEndPoint server, long start, long count,
        int seed = ReferenceDataSet.DefaultSeed, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ReferenceDataSet.EnsureSupported();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        var clock = Stopwatch.StartNew();
        using var connection = await RawConnection.ConnectAsync(server, deadline.Token, 64 * 1024);
        var batches = (count + BatchItems - 1) / BatchItems;

        var writer = Task.Run(() => WriteAllAsync(connection, start, count, seed, deadline.Token), deadline.Token);
        var reader = Task.Run(() => ExpectNoOpsAsync(connection, batches, start, deadline.Token), deadline.Token);
        try
        {
            // Whichever fails first cancels the other, so neither waits for replies that will never come.
            if (await Task.WhenAny(writer, reader) is { IsFaulted: true } or { IsCanceled: true })
                await deadline.CancelAsync();
            var valueBytes = await writer;
            await reader;
            return new DataSetLoadResult(count, valueBytes, clock.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The reader's failure is the real reason when there is one.
            if (reader.IsFaulted)
                await reader;
            throw new TimeoutException($"Loading {count} reference items into {server} did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s.");
        }
        finally
        {
            await deadline.CancelAsync();
            await Task.WhenAll(writer, reader).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task<long> WriteAllAsync(RawConnection connection, long start, long count, int seed, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(SendThreshold + DataSetCommands.MaxMetaSetLength + 8);
        try
        {
            long valueBytes = 0;
            var written = 0;
            var inBatch = 0;
            var end = start + count;
            for (var n = start; n < end; n++)
            {
                var length = DataSetCommands.WriteMetaSet(n, buffer.AsSpan(written), seed);
                written += length;
                valueBytes += ReferenceDataSet.ValueSize(n, seed);
                if (++inBatch == BatchItems || n == end - 1)
                {
                    "mn\r\n"u8.CopyTo(buffer.AsSpan(written));
                    written += 4;
                    inBatch = 0;
                }
                if (written >= SendThreshold)
                {
                    await connection.SendAsync(buffer.AsMemory(0, written), cancellationToken);
                    written = 0;
                }
            }
            if (written > 0)
                await connection.SendAsync(buffer.AsMemory(0, written), cancellationToken);
            return valueBytes;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task ExpectNoOpsAsync(RawConnection connection, long batches, long start, CancellationToken cancellationToken)
    {
        long seen = 0;
        while (seen < batches)
        {
            while (connection.TryReadLine(out var line))
            {
                if (!line.SequenceEqual("MN"u8))
                {
                    var first = start + seen * BatchItems;
                    throw new InvalidDataException(
                        $"Loading the reference data set failed in the batch of items {first}..{first + BatchItems - 1}: the server replied '{Encoding.ASCII.GetString(line)}' (only MN was expected).");
                }
                if (++seen == batches)
                    return;
            }
            await connection.FillAsync(cancellationToken);
        }
    }
}

/// <summary>What <see cref="DataSetLoader.LoadAsync(IPEndPoint, long, long, int, TimeSpan?, CancellationToken)"/> stored.</summary>
public readonly record struct DataSetLoadResult(long Items, long ValueBytes, TimeSpan Elapsed);
