using System.Text;
using MemcacheOps.Testing;

namespace MemcacheOps.Tests.Testing;

public sealed class ByteReaderTests
{
    [Fact]
    public async Task Lines_and_values_are_read_across_one_byte_reads()
    {
        // Metadump lines end with a bare \n, protocol lines with \r\n; values may contain both.
        var input = "key=a exp=-1\nVALUE k 0 4\r\na\r\nb\r\nEND\r\n"u8.ToArray();
        using var reader = new StreamByteReader(new TrickleStream(input), "test input", bufferSize: 16);
        var lines = new List<string>();

        lines.Add(await ReadLineAsync(reader));
        lines.Add(await ReadLineAsync(reader));
        await reader.EnsureBufferedAsync(6, CancellationToken.None);
        lines.Add(Encoding.ASCII.GetString(reader.Buffered[..4]));
        reader.Consume(6);
        lines.Add(await ReadLineAsync(reader));

        Assert.Equal(["key=a exp=-1", "VALUE k 0 4", "a\r\nb", "END"], lines);
        Assert.False(await reader.TryFillAsync(CancellationToken.None));
        Assert.Equal(input.Length, reader.BytesReceived);
    }

    [Fact]
    public async Task Skip_consumes_only_what_is_buffered()
    {
        using var reader = new StreamByteReader(new TrickleStream(new byte[100]), "test input");
        long left = 100;

        for (var reads = 0; left > 0 && reads < 1000; reads++)
        {
            await reader.FillAsync(CancellationToken.None);
            left -= reader.Skip(left);
        }

        Assert.Equal(0, left);
        Assert.Equal(0, reader.BufferedCount);
        await Assert.ThrowsAsync<IOException>(async () => await reader.FillAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_value_larger_than_the_buffer_grows_it()
    {
        var input = new byte[50_000];
        Random.Shared.NextBytes(input);
        using var reader = new StreamByteReader(new MemoryStream(input), "test input", bufferSize: 1024);

        await reader.EnsureBufferedAsync(input.Length, CancellationToken.None);

        Assert.True(reader.Buffered.SequenceEqual(input));
    }

    private static async Task<string> ReadLineAsync(ByteReader reader)
    {
        for (var i = 0; i < 1000; i++)
        {
            if (reader.TryReadLine(out var line))
                return Encoding.ASCII.GetString(line);
            await reader.FillAsync(CancellationToken.None);
        }
        throw new InvalidOperationException("no line");
    }

    /// <summary>Returns one byte per read, so every split point is exercised.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
