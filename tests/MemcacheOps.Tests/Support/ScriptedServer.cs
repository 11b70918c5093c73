using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MemcacheOps.Tests.Support;

/// <summary>
/// An in-process fake server on 127.0.0.1 with scripted replies: for each command line it receives it
/// sends the pieces the script returns, each written and flushed separately, so tests control how the
/// stream is split, delayed, corrupted or cut. Used for the failure paths a real memcached cannot
/// produce on demand; everything else is tested against real memcached.
/// </summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener = null!;
    private readonly Func<string, IEnumerable<byte[]>?> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly X509Certificate2? _certificate;

    /// <param name="script">Given a command line (without \r\n), the pieces to send; null closes the connection.</param>
    /// <param name="certificate">When given, every connection is TLS with this server certificate (with its key).</param>
    public ScriptedServer(Func<string, IEnumerable<byte[]>?> script, int backlog = 16, bool accept = true, X509Certificate2? certificate = null)
    {
        _script = script;
        _certificate = certificate;
        // A port no other test of this run was given (see LoopbackPorts); retried if another process took it.
        for (var attempt = 1; ; attempt++)
        {
            _listener = new TcpListener(IPAddress.Loopback, MemcacheOps.Testing.LoopbackPorts.Take());
            try
            {
                _listener.Start(backlog);
                break;
            }
            catch (SocketException) when (attempt < 10)
            {
            }
        }
        _loop = accept ? Task.Run(AcceptLoopAsync) : Task.CompletedTask;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Endpoint => $"127.0.0.1:{Port}";

    public static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    /// <summary>A piece that, instead of being sent, closes the connection.</summary>
    public static readonly byte[] Close = new byte[1];

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<byte[], object> Pauses = new();

    /// <summary>A piece that, instead of being sent, waits <paramref name="pause"/> before the next piece.</summary>
    public static byte[] Pause(TimeSpan pause)
    {
        var marker = new byte[1];
        Pauses.Add(marker, pause);
        return marker;
    }

    /// <summary>Replies every memcached-like server gives before a listing: version and a stats time.</summary>
    public static IEnumerable<byte[]>? Preamble(string line) => line switch
    {
        "version" => [Ascii("VERSION 1.6.18\r\n")],
        "stats" => [Ascii("STAT pid 1\r\nSTAT time 1700000000\r\nEND\r\n")],
        _ => null,
    };

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        client.NoDelay = true;
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        try
        {
            Stream stream = new NetworkStream(client, ownsSocket: false);
            if (_certificate is not null)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                stream = tls;
            }
            await using var __ = stream;
            while (!_stop.IsCancellationRequested)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                    return;
                pending.AddRange(buffer.AsSpan(0, n).ToArray());
                int newline;
                while ((newline = pending.IndexOf((byte)'\n')) >= 0)
                {
                    var line = Encoding.ASCII.GetString(pending.GetRange(0, newline).ToArray()).TrimEnd('\r');
                    pending.RemoveRange(0, newline + 1);
                    var pieces = _script(line);
                    if (pieces is null)
                        return;
                    foreach (var piece in pieces)
                    {
                        if (ReferenceEquals(piece, Close))
                            return;
                        if (Pauses.TryGetValue(piece, out var pause))
                        {
                            await Task.Delay((TimeSpan)pause, _stop.Token);
                            continue;
                        }
                        if (piece.Length > 0)
                        {
                            await stream.WriteAsync(piece, _stop.Token);
                            await stream.FlushAsync(_stop.Token);
                        }
                        await Task.Delay(1, _stop.Token);
                    }
                }
            }
        }
        catch (Exception)
        {
            // The client went away; nothing to clean up beyond the socket.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
