using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MemcacheOps.Tests.Latency;

/// <summary>
/// A loopback TCP proxy in front of a real memcached that misbehaves on purpose: it holds every reply back during a
/// window at the end of each period (a server stall, as a GC pause or a swap storm looks from a client), or it flips
/// one byte of every value it passes (a corrupting middlebox). Requests always pass untouched.
/// </summary>
public sealed class MisbehavingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Task> _pumps = [];
    private readonly Task _accept;
    private long _corrupted;

    private MisbehavingProxy(IPEndPoint upstream, TimeSpan period, TimeSpan hold, bool corruptValues)
    {
        _upstream = upstream;
        Period = period;
        Hold = hold;
        CorruptValues = corruptValues;
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    /// <summary>Replies arriving in the last <paramref name="hold"/> of every <paramref name="period"/> wait until the period ends.</summary>
    public static MisbehavingProxy Stalling(IPEndPoint upstream, TimeSpan period, TimeSpan hold) => new(upstream, period, hold, corruptValues: false);

    /// <summary>Every reply that carries a value (VALUE or VA) has one byte of its value flipped.</summary>
    public static MisbehavingProxy Corrupting(IPEndPoint upstream) => new(upstream, TimeSpan.Zero, TimeSpan.Zero, corruptValues: true);

    public TimeSpan Period { get; }
    public TimeSpan Hold { get; }
    public bool CorruptValues { get; }
    public long Corrupted => Interlocked.Read(ref _corrupted);

    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(_upstream, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }
            lock (_pumps)
            {
                _pumps.Add(Task.Run(() => PumpAsync(client, server, replies: false)));
                _pumps.Add(Task.Run(() => PumpAsync(server, client, replies: true)));
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool replies)
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                    break;
                if (replies && Hold > TimeSpan.Zero)
                {
                    var intoPeriod = _clock.Elapsed.Ticks % Period.Ticks;
                    if (intoPeriod >= Period.Ticks - Hold.Ticks)
                        await Task.Delay(TimeSpan.FromTicks(Period.Ticks - intoPeriod), _stop.Token);
                }
                if (replies && CorruptValues && read > 40 && (buffer.AsSpan(0, read).StartsWith("VALUE "u8) || buffer.AsSpan(0, read).StartsWith("VA "u8)))
                {
                    // Inside the value: replies end with "\r\nEND\r\n" (get) or "\r\n" (mg), so 20 bytes from the end is value.
                    buffer[read - 20] ^= 0x55;
                    Interlocked.Increment(ref _corrupted);
                }
                var sent = 0;
                while (sent < read)
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        Task[] pumps;
        lock (_pumps)
            pumps = [.. _pumps];
        await Task.WhenAll(pumps).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
