using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Text;

namespace MemcacheOps.Testing;

public static partial class DataSetLoader
{
    /// <summary>Keys per multi-key <c>get</c> when verifying.</summary>
    public const int VerifyBatchKeys = 100;

    private const int MaxReportedProblems = 20;

    public static Task<DataSetVerifyResult> VerifyAsync(MemcachedProcess server, long start, long count,
        int seed = ReferenceDataSet.DefaultSeed, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => VerifyAsync(server.IPEndPoint, start, count, seed, timeout, cancellationToken);

    /// <summary>
    /// Multi-gets every key of [start, start + count) and compares value and flags with the reference
    /// (like load_dataset.py --verify). Differences are counted and the first few described, not thrown.
    /// </summary>
    public static async Task<DataSetVerifyResult> VerifyAsync(IPEndPoint server, long start, long count,
        int seed = ReferenceDataSet.DefaultSeed, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ReferenceDataSet.EnsureSupported();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        using var connection = await RawConnection.ConnectAsync(server, deadline.Token, 256 * 1024);
        var request = ArrayPool<byte>.Shared.Rent(8 + VerifyBatchKeys * (ReferenceDataSet.MaxKeyLength + 1));
        var expected = ArrayPool<byte>.Shared.Rent(ReferenceDataSet.MaxValueSize);
        var seen = new bool[VerifyBatchKeys];
        var tally = new Tally();
        try
        {
            var end = start + count;
            for (var first = start; first < end; first += VerifyBatchKeys)
            {
                var last = Math.Min(first + VerifyBatchKeys, end);
                var length = WriteMultiGet(first, last, request);
                await connection.SendAsync(request.AsMemory(0, length), deadline.Token);
                Array.Clear(seen);
                await ReadBatchAsync(connection, first, last, seed, seen, expected, tally, deadline.Token);
                for (var n = first; n < last; n++)
                {
                    if (!seen[n - first])
                        tally.Missing(n);
                }
            }
            return new DataSetVerifyResult(tally.OkCount, tally.BadCount, tally.MissingCount, tally.Problems);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Verifying {count} reference items on {server} did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(request);
            ArrayPool<byte>.Shared.Return(expected);
        }
    }

    private static int WriteMultiGet(long first, long last, byte[] request)
    {
        "get"u8.CopyTo(request);
        var w = 3;
        for (var n = first; n < last; n++)
        {
            request[w++] = (byte)' ';
            w += ReferenceDataSet.WriteKey(n, request.AsSpan(w));
        }
        "\r\n"u8.CopyTo(request.AsSpan(w));
        return w + 2;
    }

    /// <summary>Reads <c>VALUE key:&lt;n&gt; &lt;flags&gt; &lt;bytes&gt;</c> blocks until <c>END</c>, checking each against the reference.</summary>
    private static async Task ReadBatchAsync(RawConnection connection, long first, long last, int seed, bool[] seen,
        byte[] expected, Tally tally, CancellationToken cancellationToken)
    {
        while (true)
        {
            long n;
            uint flags;
            int size;
            while (!TryReadValueHeader(connection, out n, out flags, out size, out var end))
            {
                if (end)
                    return;
                await connection.FillAsync(cancellationToken);
            }
            await connection.EnsureBufferedAsync(size + 2, cancellationToken);
            var data = connection.Buffered[..size];
            if (n < first || n >= last || seen[n - first])
            {
                tally.Bad(n, "was returned for a request that did not ask for it, or twice");
            }
            else
            {
                seen[n - first] = true;
                var expectedSize = ReferenceDataSet.ValueSize(n, seed);
                if (size != expectedSize)
                {
                    tally.Bad(n, $"has {size} value bytes, expected {expectedSize}");
                }
                else
                {
                    ReferenceDataSet.WriteValue(n, expected.AsSpan(0, size), seed);
                    if (!data.SequenceEqual(expected.AsSpan(0, size)))
                        tally.Bad(n, "has different value bytes");
                    else if (flags != ReferenceDataSet.Flags(n))
                        tally.Bad(n, $"has flags {flags}, expected {ReferenceDataSet.Flags(n)}");
                    else
                        tally.Ok();
                }
            }
            connection.Consume(size + 2);
        }
    }

    private static bool TryReadValueHeader(RawConnection connection, out long n, out uint flags, out int size, out bool end)
    {
        n = 0;
        flags = 0;
        size = 0;
        end = false;
        if (!connection.TryReadLine(out var line))
            return false;
        if (line.SequenceEqual("END"u8))
        {
            end = true;
            return false;
        }
        // VALUE key:<n> <flags> <bytes>
        if (!line.StartsWith("VALUE key:"u8))
            throw new InvalidDataException($"Unexpected reply while verifying: '{Encoding.ASCII.GetString(line)}'.");
        var rest = line["VALUE key:"u8.Length..];
        if (!Utf8Parser.TryParse(rest, out n, out var used) || rest.Length <= used || rest[used] != (byte)' ')
            throw new InvalidDataException($"Unexpected key in reply while verifying: '{Encoding.ASCII.GetString(line)}'.");
        rest = rest[(used + 1)..];
        if (!Utf8Parser.TryParse(rest, out flags, out used) || rest.Length <= used || rest[used] != (byte)' ' ||
            !Utf8Parser.TryParse(rest[(used + 1)..], out size, out _))
            throw new InvalidDataException($"Malformed VALUE line while verifying: '{Encoding.ASCII.GetString(line)}'.");
        return true;
    }

    private sealed class Tally
    {
        public long OkCount;
        public long BadCount;
        public long MissingCount;
        public readonly List<string> Problems = [];

        public void Ok() => OkCount++;

        public void Bad(long n, string what)
        {
            BadCount++;
            Note($"key:{n} {what}");
        }

        public void Missing(long n)
        {
            MissingCount++;
            Note($"key:{n} is missing");
        }

        private void Note(string problem)
        {
            if (Problems.Count < MaxReportedProblems)
                Problems.Add(problem);
        }
    }
}

/// <summary>Result of a verification; <see cref="Problems"/> describes the first few differences.</summary>
public sealed record DataSetVerifyResult(long Ok, long Bad, long Missing, IReadOnlyList<string> Problems)
{
    public bool IsComplete => Bad == 0 && Missing == 0;

    public override string ToString()
        => $"ok={Ok} bad={Bad} missing={Missing}" + (Problems.Count > 0 ? ": " + string.Join("; ", Problems) : "");
}
