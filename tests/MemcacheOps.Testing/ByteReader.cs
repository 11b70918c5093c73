using System.Buffers;

namespace MemcacheOps.Testing;

/// <summary>
/// An owned, growable receive buffer over some byte source (a socket, a tool's stdout) with the few
/// operations the raw-protocol code needs: take a line, wait for a whole value, skip bytes without
/// copying. Time limits come from the caller's cancellation token (one deadline per operation).
/// </summary>
public abstract class ByteReader : IDisposable
{
    public const int DefaultBufferSize = 1024 * 1024;

    private const int MaxLineLength = 64 * 1024;

    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bytesReceived;

    protected ByteReader(int bufferSize)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    public long BytesReceived => _bytesReceived;

    /// <summary>Received bytes not yet consumed.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public int BufferedCount => _end - _start;

    /// <summary>Names the source in error messages.</summary>
    protected abstract string SourceName { get; }

    /// <summary>Reads into <paramref name="destination"/>; 0 means end of stream.</summary>
    protected abstract ValueTask<int> ReadCoreAsync(Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Reads at least one more byte into the buffer; end of stream is an error.</summary>
    public async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (!await TryFillAsync(cancellationToken))
            throw new IOException($"{SourceName} ended after {_bytesReceived} bytes while more was expected.");
    }

    /// <summary>Reads more bytes into the buffer; returns false at end of stream.</summary>
    public async ValueTask<bool> TryFillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_buffer.Length - _end < _buffer.Length / 4)
        {
            // Little room left at the end: move the unconsumed tail (a partial line or value) to the front.
            Compact();
            if (_end == _buffer.Length)
                Grow(_buffer.Length * 2);
        }
        var read = await ReadCoreAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
            return false;
        _end += read;
        _bytesReceived += read;
        return true;
    }

    /// <summary>Fills until at least <paramref name="count"/> unconsumed bytes are buffered (for a whole value).</summary>
    public async ValueTask EnsureBufferedAsync(int count, CancellationToken cancellationToken)
    {
        if (count > _buffer.Length)
            Grow(count);
        while (BufferedCount < count)
        {
            if (_buffer.Length - _start < count)
                Compact();
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Takes one \n-terminated line from the buffer, without its line ending (a bare \n also ends a line,
    /// as in metadump output). The span is valid until the next fill. Returns false when no whole line is buffered.
    /// </summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        var buffered = Buffered;
        var newline = buffered.IndexOf((byte)'\n');
        if (newline < 0)
        {
            if (buffered.Length > MaxLineLength)
                throw new InvalidDataException($"{SourceName} sent a line longer than {MaxLineLength} bytes; it does not look like memcached.");
            line = default;
            return false;
        }
        line = buffered[..(newline > 0 && buffered[newline - 1] == (byte)'\r' ? newline - 1 : newline)];
        Consume(newline + 1);
        return true;
    }

    /// <summary>Consumes up to <paramref name="count"/> buffered bytes; returns how many were consumed.</summary>
    public int Skip(long count)
    {
        var n = (int)Math.Min(count, BufferedCount);
        Consume(n);
        return n;
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
            _start = _end = 0;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the source. The buffer is not returned to the pool: a reader may still be unwinding and touching it.</summary>
    protected abstract void Dispose(bool disposing);

    private void Compact()
    {
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
        _end -= _start;
        _start = 0;
    }

    private void Grow(int size)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
        _end -= _start;
        _start = 0;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
