using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Testing;

/// <summary>
/// A plain TCP connection with one owned receive buffer, deliberately independent of the engine's
/// connection code so the loader, the verifier and the benchmarks' raw-protocol scenarios can cross-check
/// the engine. One reader and one writer may use it at the same time. Time limits come from the caller's
/// cancellation token (one deadline per operation, not one timer per read).
/// </summary>
public sealed class RawConnection : IDisposable
{
    public const int DefaultBufferSize = 1024 * 1024;

    private readonly Socket _socket;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bytesReceived;

    private RawConnection(Socket socket, int bufferSize)
    {
        _socket = socket;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    public long BytesReceived => _bytesReceived;

    /// <summary>Received bytes not yet consumed.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public int BufferedCount => _end - _start;

    public static Task<RawConnection> ConnectAsync(ServerEndpoint server, CancellationToken cancellationToken, int bufferSize = DefaultBufferSize)
        => ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port), cancellationToken, bufferSize);

    public static async Task<RawConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellationToken, int bufferSize = DefaultBufferSize)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            SendBufferSize = 1024 * 1024,
            ReceiveBufferSize = 1024 * 1024,
        };
        try
        {
            await socket.ConnectAsync(server, cancellationToken);
            return new RawConnection(socket, bufferSize);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends every byte.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    /// <summary>Reads at least one more byte into the buffer; end of stream is an error.</summary>
    public async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_buffer.Length - _end < _buffer.Length / 4)
        {
            // Little room left at the end: move the unconsumed tail (a partial line or value) to the front.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
            if (_end == _buffer.Length)
                Grow(_buffer.Length * 2);
        }
        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0)
            throw new IOException($"The server {_socket.RemoteEndPoint} closed the connection after {_bytesReceived} bytes.");
        _end += read;
        _bytesReceived += read;
    }

    /// <summary>Fills until at least <paramref name="count"/> unconsumed bytes are buffered (for a whole value).</summary>
    public async ValueTask EnsureBufferedAsync(int count, CancellationToken cancellationToken)
    {
        if (count > _buffer.Length)
            Grow(count);
        while (BufferedCount < count)
        {
            if (_buffer.Length - _start < count)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
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
            if (buffered.Length > 64 * 1024)
                throw new InvalidDataException($"The server {_socket.RemoteEndPoint} sent a line longer than 64 KiB; it does not look like memcached.");
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

    /// <summary>Tells the server nothing more will be sent.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public void Dispose()
    {
        _socket.Dispose();
        // The buffer is not returned to the pool: a reader may still be unwinding and touching it.
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
