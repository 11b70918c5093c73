using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Connections;

/// <summary>
/// One TCP connection to memcached with an owned, growable receive buffer. Parsers work on
/// <see cref="Buffered"/> and call <see cref="Consume"/>; <see cref="FillAsync"/> reads more.
/// Reads and writes may run concurrently (one reader, one writer), which pipelining needs:
/// memcached stops reading while its own writes are blocked, so a client must read while it writes.
/// </summary>
public sealed partial class MemcachedConnection : IAsyncDisposable, IDisposable
{
    private readonly Socket _socket;
    private readonly ConnectionOptions _options;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bytesReceived;
    private long _bytesSent;
    private int _disposed;

    private MemcachedConnection(ServerEndpoint endpoint, Socket socket, ConnectionOptions options)
    {
        Endpoint = endpoint;
        _socket = socket;
        _options = options;
        _buffer = ArrayPool<byte>.Shared.Rent(options.ReceiveBufferSize);
    }

    public ServerEndpoint Endpoint { get; }

    public ConnectionOptions Options => _options;

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes received and not yet consumed by a parser.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public int BufferedCount => _end - _start;

    /// <summary>Opens a connection, trying each resolved address within the connect timeout.</summary>
    public static async Task<MemcachedConnection> OpenAsync(ServerEndpoint endpoint, ConnectionOptions? options, CancellationToken cancellationToken)
    {
        options ??= ConnectionOptions.Default;
        IPAddress[] addresses;
        try
        {
            addresses = await endpoint.ResolveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new MemcacheException(MemcacheErrorKind.ConnectionFailed, "MemcacheHostNotFound",
                $"Cannot resolve host '{endpoint.Host}' of server {endpoint}: {ex.Message}. Check the server name.", endpoint.ToString(), ex);
        }
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            {
                NoDelay = true,
                SendBufferSize = options.SocketBufferSize,
                ReceiveBufferSize = options.SocketBufferSize,
            };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), timeout.Token).ConfigureAwait(false);
                return new MemcachedConnection(endpoint, socket, options);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                last = new MemcacheException(MemcacheErrorKind.Timeout, "MemcacheConnectTimeout",
                    $"Connecting to {endpoint} ({address}) timed out after {options.ConnectTimeout.TotalSeconds:0.#} s. Check that the host is reachable and a firewall does not drop the port.",
                    endpoint.ToString());
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = new MemcacheException(MemcacheErrorKind.ConnectionFailed, "MemcacheConnectionFailed",
                    $"Cannot connect to {endpoint} ({address}): {ex.Message}. Check that memcached is running and listening on port {endpoint.Port}.",
                    endpoint.ToString(), ex);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last ?? new MemcacheException(MemcacheErrorKind.ConnectionFailed, "MemcacheHostNotFound",
            $"Host '{endpoint.Host}' of server {endpoint} has no addresses.", endpoint.ToString());
    }

    /// <summary>Marks <paramref name="count"/> buffered bytes as parsed.</summary>
    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }
    }

    /// <summary>Makes sure the buffer can hold at least <paramref name="total"/> unconsumed bytes (for large values).</summary>
    public void EnsureCapacity(int total)
    {
        if (total <= _buffer.Length)
            return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(total, _buffer.Length * 2));
        Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
        ArrayPool<byte>.Shared.Return(_buffer);
        _end -= _start;
        _start = 0;
        _buffer = bigger;
    }

    /// <summary>
    /// Reads at least one more byte from the socket into the buffer. Throws on end of stream, when no
    /// byte arrives within the read timeout (or <paramref name="timeout"/> when given), or when an awaited
    /// reply has run out of time (see <see cref="BeginReply"/>).
    /// </summary>
    public async ValueTask FillAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var limit = NextReadLimit(timeout);
        if (_start > 0 && (_end == _buffer.Length || _start > _buffer.Length / 2))
        {
            // Compact so the free space is at the end; buffered bytes are few relative to the buffer.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
            EnsureCapacity(_buffer.Length * 2);

        int read;
        // Fast path: bytes are already waiting, so a plain non-blocking receive gets them without an
        // async state machine or a timeout timer (this is the common case while values stream in).
        if (_socket.Available > 0)
        {
            try
            {
                read = _socket.Receive(_buffer.AsSpan(_end), SocketFlags.None);
            }
            catch (SocketException ex)
            {
                throw ConnectionLost(ex);
            }
            if (read > 0)
            {
                _end += read;
                Interlocked.Add(ref _bytesReceived, read);
                return;
            }
        }
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (limit != Timeout.InfiniteTimeSpan)
                cts.CancelAfter(limit);
            try
            {
                read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw ReadTimedOut(limit);
            }
            catch (SocketException ex)
            {
                throw ConnectionLost(ex);
            }
        }
        if (read == 0)
            throw ConnectionLost(null);
        _end += read;
        Interlocked.Add(ref _bytesReceived, read);
    }

    /// <summary>Sends every byte of <paramref name="data"/>, failing if the server does not accept them within the read timeout.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.ReadTimeout);
        try
        {
            while (!data.IsEmpty)
            {
                var sent = await _socket.SendAsync(data, SocketFlags.None, cts.Token).ConfigureAwait(false);
                data = data[sent..];
                Interlocked.Add(ref _bytesSent, sent);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MemcacheException(MemcacheErrorKind.Timeout, "MemcacheWriteTimeout",
                $"Server {Endpoint} did not accept data for {_options.ReadTimeout.TotalSeconds:0.#} s. It may be overloaded or stalled.",
                Endpoint.ToString());
        }
        catch (SocketException ex)
        {
            throw ConnectionLost(ex);
        }
    }

    /// <summary>Sends an ASCII command line (the caller includes the trailing \r\n).</summary>
    public ValueTask SendAsciiAsync(string command, CancellationToken cancellationToken)
        => SendAsync(Encoding.ASCII.GetBytes(command), cancellationToken);

    /// <summary>
    /// Reads one line terminated by \n and returns it without its line ending. Used for the low-volume
    /// text commands (stats, version); hot paths parse <see cref="Buffered"/> directly.
    /// </summary>
    public async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken, int maxLength = 64 * 1024)
    {
        while (true)
        {
            var index = Buffered.IndexOf((byte)'\n');
            if (index >= 0)
            {
                var length = index > 0 && Buffered[index - 1] == (byte)'\r' ? index - 1 : index;
                var line = Encoding.UTF8.GetString(Buffered[..length]);
                Consume(index + 1);
                return line;
            }
            if (BufferedCount > maxLength)
                throw new MemcacheException(MemcacheErrorKind.NotMemcached, "MemcacheProtocolError",
                    $"Server {Endpoint} sent a line longer than {maxLength} bytes; it does not look like memcached.", Endpoint.ToString());
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops further sends, so the server sees end of stream after what was written.</summary>
    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    internal MemcacheException ConnectionLost(Exception? inner)
        => new(MemcacheErrorKind.ConnectionFailed, "MemcacheConnectionLost",
            $"Connection to {Endpoint} was closed{(inner is null ? " by the server" : ": " + inner.Message)} after {BytesSent} bytes sent and {BytesReceived} received. The server may have crashed or restarted, or something in between cut the connection: check it, then run the operation again.",
            Endpoint.ToString(), inner);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _socket.Dispose();
        // The buffer is not returned to the pool: a reader may still be unwinding and touching it.
        _buffer = [];
        _start = _end = 0;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
