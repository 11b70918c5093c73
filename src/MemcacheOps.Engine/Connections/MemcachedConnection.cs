using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Connections;

/// <summary>
/// One connection to memcached, plain TCP or TLS, with an owned, growable receive buffer. Parsers work on
/// <see cref="Buffered"/> and call <see cref="Consume"/>; <see cref="FillAsync"/> reads more. Reads and
/// writes go through a <see cref="Stream"/> (a <see cref="NetworkStream"/>, or an <see cref="SslStream"/>
/// when TLS is used), so listing, pipelines and stats never know which; authentication
/// (<c>memcached -Y</c>) happens while opening. Reads and writes may run concurrently (one reader, one
/// writer), which pipelining needs: memcached stops reading while its own writes are blocked, so a client
/// must read while it writes.
/// </summary>
public sealed partial class MemcachedConnection : IAsyncDisposable, IDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly bool _isTls;
    private readonly ConnectionOptions _options;
    private CancellationTokenSource? _tlsReadTimeout;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bytesReceived;
    private long _bytesSent;
    private int _disposed;

    private MemcachedConnection(ServerEndpoint endpoint, Socket socket, Stream stream, ConnectionOptions options)
    {
        Endpoint = endpoint;
        _socket = socket;
        _stream = stream;
        _isTls = stream is SslStream;
        _options = options;
        _buffer = ArrayPool<byte>.Shared.Rent(options.ReceiveBufferSize);
    }

    public ServerEndpoint Endpoint { get; }

    public ConnectionOptions Options => _options;

    /// <summary>True when the connection is encrypted with TLS.</summary>
    public bool IsTls => _isTls;

    /// <summary>The user this connection authenticated as (<c>memcached -Y</c>), or null.</summary>
    public string? AuthenticatedUser { get; private set; }

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes received and not yet consumed by a parser.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public int BufferedCount => _end - _start;

    /// <summary>
    /// The server's reply to a <c>version</c> sent while opening (to learn whether it asks for
    /// authentication), kept for the first <see cref="Protocol.ServerProbe"/> so it is not asked twice.
    /// </summary>
    internal string? VersionReplyFromOpening { get; set; }

    /// <summary>
    /// Opens a connection, trying each resolved address within the connect timeout; then, as the options and
    /// the server string say, makes it TLS and authenticates.
    /// </summary>
    public static async Task<MemcachedConnection> OpenAsync(ServerEndpoint endpoint, ConnectionOptions? options, CancellationToken cancellationToken)
    {
        options ??= ConnectionOptions.Default;
        var socket = await ConnectSocketAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
        Stream stream;
        try
        {
            stream = options.UsesTls(endpoint)
                ? await TlsHandshake.AuthenticateAsync(socket, endpoint, options, cancellationToken).ConfigureAwait(false)
                : new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new MemcachedConnection(endpoint, socket, stream, options);
        if (options.Credential is null)
            return connection;
        try
        {
            await TextAuthentication.AuthenticateAsync(connection, options.Credential, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static async Task<Socket> ConnectSocketAsync(ServerEndpoint endpoint, ConnectionOptions options, CancellationToken cancellationToken)
    {
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
                return socket;
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
    /// Reads at least one more byte from the server into the buffer. Throws on end of stream, when no
    /// byte arrives within the read timeout (or <paramref name="timeout"/> when given), or when an awaited
    /// reply has run out of time (see <see cref="BeginReply"/>). Over TLS, a read that times out or is
    /// cancelled breaks the connection (an unfinished TLS read cannot be resumed); callers never reuse a
    /// connection after either.
    /// </summary>
    public async ValueTask FillAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        if (_start > 0 && (_end == _buffer.Length || _start > _buffer.Length / 2))
        {
            // Compact so the free space is at the end; buffered bytes are few relative to the buffer.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
            EnsureCapacity(_buffer.Length * 2);

        // The read timeout, cut short when the reply clock (MemcachedConnection.Progress.cs) runs out sooner.
        var limit = NextReadLimit(timeout);
        int read;
        try
        {
            read = _isTls
                ? await ReadTlsAsync(limit, cancellationToken).ConfigureAwait(false)
                : await ReadPlainAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw ConnectionLost(ex.InnerException ?? ex);
        }
        catch (SocketException ex)
        {
            throw ConnectionLost(ex);
        }
        catch (ObjectDisposedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ConnectionLost(ex);
        }
        if (read == 0)
            throw ConnectionLost(null);
        _end += read;
        Interlocked.Add(ref _bytesReceived, read);
    }

    /// <summary>
    /// A plain read. Fast path: bytes are already waiting, so a synchronous receive gets them without an
    /// async state machine or a timeout timer (the common case while values stream in).
    /// </summary>
    private async ValueTask<int> ReadPlainAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        if (_socket.Available > 0)
        {
            var read = _stream.Read(_buffer.AsSpan(_end));
            if (read > 0)
                return read;
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limit != Timeout.InfiniteTimeSpan)
            cts.CancelAfter(limit);
        try
        {
            return await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw ReadTimedOut(limit);
        }
    }

    /// <summary>
    /// A TLS read, with the connection's own timeout source (re-armed for each read, so nothing is allocated
    /// per read). Fast path: the read completes at once when decrypted bytes are buffered or a record has
    /// already arrived. A read that times out or is cancelled leaves the TLS stream unusable: the connection
    /// is closed.
    /// </summary>
    private ValueTask<int> ReadTlsAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var timeout = _tlsReadTimeout ??= new CancellationTokenSource();
        if (limit != Timeout.InfiniteTimeSpan)
            timeout.CancelAfter(limit);
        var pending = _stream.ReadAsync(_buffer.AsMemory(_end), timeout.Token);
        if (pending.IsCompletedSuccessfully)
        {
            timeout.TryReset();
            return pending;
        }
        return AwaitTlsReadAsync(pending, timeout, limit, cancellationToken);
    }

    private async ValueTask<int> AwaitTlsReadAsync(ValueTask<int> pending, CancellationTokenSource timeout, TimeSpan limit, CancellationToken cancellationToken)
    {
        // The caller's cancellation reaches the read through the timeout source (which is then spent, as the connection is).
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), timeout)
            : default;
        try
        {
            var read = await pending.ConfigureAwait(false);
            timeout.TryReset();
            return read;
        }
        catch (OperationCanceledException)
        {
            Dispose();
            if (cancellationToken.IsCancellationRequested)
                throw;
            throw ReadTimedOut(limit);
        }
    }

    /// <summary>Sends every byte of <paramref name="data"/>, failing if the server does not accept them within the read timeout.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.ReadTimeout);
        try
        {
            if (_isTls && LastLineStart(data.Span) is > 0 and var cut)
            {
                // The last command line goes in a TLS record of its own. memcached reads values with exact-length
                // SSL_read calls; what is left of a record stays inside OpenSSL, where its event loop does not see
                // it, so a pipeline whose last record was read only in part waits forever for its final replies
                // (observed with 1.6.18: an import stalled with its last batch's 'mn' unread). A short record of
                // whole lines is always read whole.
                await _stream.WriteAsync(data[..cut], cts.Token).ConfigureAwait(false);
                await _stream.WriteAsync(data[cut..], cts.Token).ConfigureAwait(false);
            }
            else
            {
                await _stream.WriteAsync(data, cts.Token).ConfigureAwait(false);
            }
            Interlocked.Add(ref _bytesSent, data.Length);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MemcacheException(MemcacheErrorKind.Timeout, "MemcacheWriteTimeout",
                $"Server {Endpoint} did not accept data for {_options.ReadTimeout.TotalSeconds:0.#} s. It may be overloaded or stalled.",
                Endpoint.ToString());
        }
        catch (IOException ex)
        {
            throw ConnectionLost(ex.InnerException ?? ex);
        }
        catch (SocketException ex)
        {
            throw ConnectionLost(ex);
        }
        catch (ObjectDisposedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ConnectionLost(ex);
        }
    }

    /// <summary>Where the last line of <paramref name="data"/> starts, or 0 when it is one line (or ends without \n).</summary>
    private static int LastLineStart(ReadOnlySpan<byte> data)
        => data.Length > 1 && data[^1] == (byte)'\n' ? data[..^1].LastIndexOf((byte)'\n') + 1 : 0;

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

    internal void MarkAuthenticated(string user) => AuthenticatedUser = user;

    internal MemcacheException ConnectionLost(Exception? inner)
        => new(MemcacheErrorKind.ConnectionFailed, "MemcacheConnectionLost",
            $"Connection to {Endpoint} was closed{(inner is null ? " by the server" : ": " + inner.Message)} after {BytesSent} bytes sent and {BytesReceived} received. The server may have crashed or restarted, or something in between cut the connection: check it, then run the operation again.",
            Endpoint.ToString(), inner);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stream.Dispose();
        _socket.Dispose();
        _tlsReadTimeout?.Dispose();
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
