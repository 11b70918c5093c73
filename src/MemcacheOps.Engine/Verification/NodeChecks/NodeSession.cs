using System.Text;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// The one connection the checks of a server share, with the exact wire reads they need: reply lines that
/// must end in \r\n, and data blocks of a known length that must be followed by \r\n. A check that fails can
/// leave replies unread, so the run reopens the session before the next check (as libmemcached's memcapable
/// does) instead of trying to resynchronise the stream.
/// </summary>
internal sealed class NodeSession : IAsyncDisposable
{
    /// <summary>Reply lines are short (a key is at most 250 bytes); a longer one means the stream is not memcached's.</summary>
    private const int MaxLineLength = 8 * 1024;

    private MemcachedConnection? _connection;

    public NodeSession(ServerEndpoint endpoint, ConnectionOptions options)
    {
        Endpoint = endpoint;
        Options = options;
    }

    public ServerEndpoint Endpoint { get; }

    public ConnectionOptions Options { get; }

    public MemcachedConnection Connection => _connection ?? throw new InvalidOperationException("The session is not open.");

    /// <summary>Bytes sent and received on the current connection (for progress).</summary>
    public long Traffic => _connection is { } c ? c.BytesSent + c.BytesReceived : 0;

    /// <summary>Opens the connection and proves the peer answers <c>version</c>; returns what it said.</summary>
    public async Task<ServerInfo> OpenAsync(CancellationToken cancellationToken)
    {
        Close();
        var (connection, info) = await ServerProbe.ConnectAsync(Endpoint, Options, cancellationToken).ConfigureAwait(false);
        _connection = connection;
        return info;
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        => Connection.SendAsync(bytes, cancellationToken);

    /// <summary>Sends one command line; the \r\n is added here.</summary>
    public ValueTask SendLineAsync(string line, CancellationToken cancellationToken)
        => Connection.SendAsync(Encoding.Latin1.GetBytes(line + "\r\n"), cancellationToken);

    /// <summary>Sends a command line followed by its data block (each ended by \r\n) in one write.</summary>
    public ValueTask SendWithDataAsync(string line, ReadOnlySpan<byte> data, CancellationToken cancellationToken)
        => Connection.SendAsync(Wire.WithData(line, data), cancellationToken);

    /// <summary>
    /// Reads one reply line and returns it without its \r\n (bytes as Latin-1 characters, so nothing is lost).
    /// A line ended by a bare \n is a protocol deviation and fails the check that reads it.
    /// </summary>
    public async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var connection = Connection;
        while (true)
        {
            var buffered = connection.Buffered;
            var newline = buffered.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                if (newline == 0 || buffered[newline - 1] != (byte)'\r')
                {
                    var shown = Encoding.Latin1.GetString(buffered[..newline]);
                    connection.Consume(newline + 1);
                    throw new CheckFailedException($"the reply line '{MessageText.Show(shown)}' ends with a bare \\n instead of \\r\\n");
                }
                var line = Encoding.Latin1.GetString(buffered[..(newline - 1)]);
                connection.Consume(newline + 1);
                return line;
            }
            if (buffered.Length > MaxLineLength)
                throw new CheckFailedException($"the server sent more than {MaxLineLength} bytes without a line end, where a reply line was expected");
            await connection.FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a data block of <paramref name="length"/> bytes and the \r\n that must follow it.</summary>
    public async ValueTask<byte[]> ReadBlockAsync(int length, CancellationToken cancellationToken)
    {
        var connection = Connection;
        var total = length + 2;
        connection.EnsureCapacity(total);
        while (connection.BufferedCount < total)
            await connection.FillAsync(cancellationToken).ConfigureAwait(false);
        var buffered = connection.Buffered;
        var value = buffered[..length].ToArray();
        var ok = buffered[length] == (byte)'\r' && buffered[length + 1] == (byte)'\n';
        connection.Consume(total);
        if (!ok)
            throw new CheckFailedException($"a data block of {length} bytes was not followed by \\r\\n (the length in its header is wrong)");
        return value;
    }

    private void Close()
    {
        _connection?.Dispose();
        _connection = null;
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Builds request bytes: lines and data blocks as memcached's text and meta protocols frame them.</summary>
internal static class Wire
{
    /// <summary>"line\r\n" + data + "\r\n".</summary>
    public static byte[] WithData(string line, ReadOnlySpan<byte> data)
    {
        var head = Encoding.Latin1.GetByteCount(line);
        var bytes = new byte[head + 2 + data.Length + 2];
        Encoding.Latin1.GetBytes(line, bytes);
        bytes[head] = (byte)'\r';
        bytes[head + 1] = (byte)'\n';
        data.CopyTo(bytes.AsSpan(head + 2));
        bytes[^2] = (byte)'\r';
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>Appends a command line (with its \r\n) to a pipelined request being built.</summary>
    public static void AppendLine(PooledBufferWriter request, string line)
    {
        var span = request.GetSpan(Encoding.Latin1.GetByteCount(line) + 2);
        var n = Encoding.Latin1.GetBytes(line, span);
        span[n] = (byte)'\r';
        span[n + 1] = (byte)'\n';
        request.Advance(n + 2);
    }

    /// <summary>Appends a command line and its data block to a pipelined request being built.</summary>
    public static void AppendWithData(PooledBufferWriter request, string line, ReadOnlySpan<byte> data)
    {
        AppendLine(request, line);
        request.Write(data);
        request.Write("\r\n"u8);
    }
}
