using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Testing;

/// <summary>
/// A plain TCP (or TLS) connection to memcached, deliberately independent of the engine's connection code so
/// the loader, the verifier and the benchmarks' raw-protocol scenarios can cross-check the engine. One reader
/// and one writer may use it at the same time.
/// </summary>
public sealed class RawConnection : ByteReader
{
    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly string _name;

    private RawConnection(Socket socket, SslStream? tls, IPEndPoint server, int bufferSize)
        : base(bufferSize)
    {
        _socket = socket;
        _tls = tls;
        _name = (tls is null ? "memcached at " : "memcached (TLS) at ") + server;
    }

    protected override string SourceName => _name;

    public static Task<RawConnection> ConnectAsync(ServerEndpoint server, CancellationToken cancellationToken, int bufferSize = DefaultBufferSize)
        => ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port), cancellationToken, bufferSize);

    public static Task<RawConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellationToken, int bufferSize = DefaultBufferSize)
        => ConnectAsync(server, caFile: null, cancellationToken, bufferSize);

    /// <summary>
    /// Connects; with <paramref name="caFile"/> the connection is TLS 1.2+ (.NET's SslStream) and the server's
    /// certificate must chain to that CA and name the server's IP address.
    /// </summary>
    public static async Task<RawConnection> ConnectAsync(IPEndPoint server, string? caFile, CancellationToken cancellationToken, int bufferSize = DefaultBufferSize)
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
            if (caFile is null)
                return new RawConnection(socket, null, server, bufferSize);
            var trust = new X509Certificate2Collection();
            trust.ImportFromPemFile(caFile);
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(trust);
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = server.Address.ToString(),
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateChainPolicy = policy,
            }, cancellationToken);
            return new RawConnection(socket, tls, server, bufferSize);
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
        if (_tls is not null)
        {
            // As the engine does: the last line in a TLS record of its own, because memcached keeps the rest of
            // a partly read record inside OpenSSL, where its event loop does not see it (a pipeline then stalls).
            var span = data.Span;
            var cut = span.Length > 1 && span[^1] == (byte)'\n' ? span[..^1].LastIndexOf((byte)'\n') + 1 : 0;
            if (cut > 0)
            {
                await _tls.WriteAsync(data[..cut], cancellationToken);
                data = data[cut..];
            }
            await _tls.WriteAsync(data, cancellationToken);
            return;
        }
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    /// <summary>Tells the server nothing more will be sent.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    protected override ValueTask<int> ReadCoreAsync(Memory<byte> destination, CancellationToken cancellationToken)
        => _tls is not null ? _tls.ReadAsync(destination, cancellationToken) : _socket.ReceiveAsync(destination, SocketFlags.None, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tls?.Dispose();
            _socket.Dispose();
        }
    }
}
