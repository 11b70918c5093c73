using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MemcacheOps.Tests.Support;

/// <summary>
/// A loopback TCP proxy in front of a real memcached that misbehaves on demand, for the faults a real
/// server cannot produce: a server (or a network path) that trickles, passing a byte at a time each way,
/// and connections reset in the middle of a reply. A fault holds for every connection, open or new, from
/// the moment it is set until <see cref="Heal"/>.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private enum Mode
    {
        Pass,
        Trickle,
        Reset,
    }

    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Socket> _open = new();
    private readonly Task _accepting;
    private volatile Mode _mode;
    private long _reset;

    public FaultProxy(IPEndPoint upstream)
    {
        _upstream = upstream;
        for (var attempt = 1; ; attempt++)
        {
            _listener = new TcpListener(IPAddress.Loopback, MemcacheOps.Testing.LoopbackPorts.Take());
            try
            {
                _listener.Start(64);
                break;
            }
            catch (SocketException) when (attempt < 10)
            {
            }
        }
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The address clients use instead of the server's.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>How long the proxy waits between the bytes of a trickled reply.</summary>
    public TimeSpan TrickleDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Connections reset so far.</summary>
    public long ResetConnections => Interlocked.Read(ref _reset);

    /// <summary>
    /// From now on bytes pass one every <see cref="TrickleDelay"/> each way: replies reach clients a byte at a
    /// time, and requests (values being stored) reach the server a byte at a time.
    /// </summary>
    public void Trickle() => _mode = Mode.Trickle;

    /// <summary>
    /// From now on every connection is reset (RST) in the middle of the next reply it carries: half of what
    /// the server sent is forwarded, then the connection is torn down. New connections meet the same fate.
    /// </summary>
    public void Reset() => _mode = Mode.Reset;

    /// <summary>Back to forwarding replies as they come.</summary>
    public void Heal() => _mode = Mode.Pass;

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
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_upstream, _stop.Token);
        }
        catch (Exception)
        {
            Abort(client);
            server.Dispose();
            return;
        }
        _open[client] = server;
        try
        {
            await Task.WhenAny(RequestsAsync(client, server), RepliesAsync(server, client));
        }
        finally
        {
            _open.TryRemove(client, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task RequestsAsync(Socket client, Socket server)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                    return;
                var sent = 0;
                while (sent < n)
                {
                    if (_mode == Mode.Trickle)
                    {
                        await server.SendAsync(buffer.AsMemory(sent, 1), SocketFlags.None, _stop.Token);
                        sent++;
                        await Task.Delay(TrickleDelay, _stop.Token);
                        continue;
                    }
                    sent += await server.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, _stop.Token);
                }
            }
        }
        catch (Exception)
        {
            // Either side went away.
        }
    }

    private async Task RepliesAsync(Socket server, Socket client)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await server.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                    return;
                var sent = 0;
                while (sent < n)
                {
                    switch (_mode)
                    {
                        case Mode.Trickle:
                            await client.SendAsync(buffer.AsMemory(sent, 1), SocketFlags.None, _stop.Token);
                            sent++;
                            await Task.Delay(TrickleDelay, _stop.Token);
                            break;
                        case Mode.Reset:
                            var half = (n - sent) / 2;
                            if (half > 0)
                                await client.SendAsync(buffer.AsMemory(sent, half), SocketFlags.None, _stop.Token);
                            Interlocked.Increment(ref _reset);
                            Abort(client);
                            return;
                        default:
                            sent += await client.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, _stop.Token);
                            break;
                    }
                }
            }
        }
        catch (Exception)
        {
            // Either side went away.
        }
    }

    /// <summary>Closes with RST rather than FIN: what a client sees when a connection is reset.</summary>
    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception)
        {
            // Already closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var (client, server) in _open)
        {
            client.Dispose();
            server.Dispose();
        }
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
