using System.Net;
using System.Net.Sockets;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Testing;

/// <summary>
/// A plain TCP connection to memcached, deliberately independent of the engine's connection code so the
/// loader, the verifier and the benchmarks' raw-protocol scenarios can cross-check the engine. One reader
/// and one writer may use it at the same time.
/// </summary>
public sealed class RawConnection : ByteReader
{
    private readonly Socket _socket;
    private readonly string _name;

    private RawConnection(Socket socket, IPEndPoint server, int bufferSize)
        : base(bufferSize)
    {
        _socket = socket;
        _name = "memcached at " + server;
    }

    protected override string SourceName => _name;

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
            return new RawConnection(socket, server, bufferSize);
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

    /// <summary>Tells the server nothing more will be sent.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    protected override ValueTask<int> ReadCoreAsync(Memory<byte> destination, CancellationToken cancellationToken)
        => _socket.ReceiveAsync(destination, SocketFlags.None, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _socket.Dispose();
    }
}
