using System.Threading.Channels;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// Writes a byte stream to a file the way a dump writer must at least: appended into 1 MiB buffers,
/// each full buffer written by a thread of its own (write-behind, at most <see cref="Buffers"/> in use),
/// optionally fsync at the end. No parsing, framing or checksum: the floor of what writing a dump costs.
/// </summary>
internal sealed class RawFileSpill : IAsyncDisposable
{
    private const int BufferSize = 1024 * 1024;
    private const int Buffers = 4;

    private readonly FileStream _file;
    private readonly Channel<(byte[] Buffer, int Length)> _full = Channel.CreateBounded<(byte[], int)>(Buffers);
    private readonly Channel<byte[]> _free = Channel.CreateBounded<byte[]>(Buffers);
    private readonly Task _writer;
    private byte[] _current;
    private int _used;

    public RawFileSpill(string path)
    {
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (var i = 1; i < Buffers; i++)
            _free.Writer.TryWrite(new byte[BufferSize]);
        _current = new byte[BufferSize];
        _writer = Task.Factory.StartNew(WriteLoop, TaskCreationOptions.LongRunning);
    }

    public long Written { get; private set; }

    /// <summary>Copies <paramref name="data"/> into the current buffer, handing full buffers to the writer.</summary>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, BufferSize - _used);
            data.Span[..n].CopyTo(_current.AsSpan(_used));
            _used += n;
            data = data[n..];
            if (_used == BufferSize)
            {
                await _full.Writer.WriteAsync((_current, _used), cancellationToken);
                _current = await _free.Reader.ReadAsync(cancellationToken);
                _used = 0;
            }
        }
    }

    /// <summary>Writes what is left and waits for the writer; with <paramref name="durable"/>, also fsyncs.</summary>
    public async Task CompleteAsync(bool durable, CancellationToken cancellationToken)
    {
        if (_used > 0)
            await _full.Writer.WriteAsync((_current, _used), cancellationToken);
        _full.Writer.TryComplete();
        await _writer;
        if (durable)
            _file.Flush(flushToDisk: true);
    }

    private void WriteLoop()
    {
        while (_full.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (_full.Reader.TryRead(out var item))
            {
                _file.Write(item.Buffer, 0, item.Length);
                Written += item.Length;
                _free.Writer.TryWrite(item.Buffer);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _full.Writer.TryComplete();
        try
        {
            await _writer;
        }
        catch (IOException)
        {
            // Reported by CompleteAsync when it mattered; disposing only releases the file.
        }
        await _file.DisposeAsync();
    }
}
