using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MemcacheOps.Tests.Support;

/// <summary>
/// A loopback TCP proxy in front of a real memcached that misbehaves on purpose, for the failures a healthy
/// server never shows: it flips one bit in the middle of every value of at least <c>corruptValuesFrom</c>
/// bytes it relays (the data block of a <c>VALUE</c> or <c>VA</c> reply, found by parsing the reply stream),
/// or, once a request contains <c>freezeOn</c>, it stops relaying anything on every connection, old and new,
/// as a frozen server would (the sockets stay open; nothing is answered), or, with <c>withoutMeta</c>, it
/// turns every meta command (mg, ms, md, ma, mn, me) into an unknown one, so memcached answers ERROR as a
/// server before 1.6 (or a proxy that does not speak them) does; values of text storage commands pass as they are.
/// <c>replaceReply</c> swaps one reply line for another (a server that answers with the wrong code).
/// </summary>
public sealed class TamperingProxy : IAsyncDisposable
{
    private readonly IPEndPoint _upstream;
    private readonly int? _corruptFrom;
    private readonly byte[]? _freezeOn;
    private readonly bool _withoutMeta;
    private readonly (string From, string To)? _replaceReply;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accept;
    private int _corrupted;
    private volatile bool _frozen;

    public TamperingProxy(IPEndPoint upstream, int? corruptValuesFrom = null, string? freezeOn = null, bool withoutMeta = false,
        (string From, string To)? replaceReply = null)
    {
        _replaceReply = replaceReply;
        _withoutMeta = withoutMeta;
        _upstream = upstream;
        _corruptFrom = corruptValuesFrom;
        _freezeOn = freezeOn is null ? null : Encoding.ASCII.GetBytes(freezeOn);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Values corrupted so far.</summary>
    public int Corrupted => Volatile.Read(ref _corrupted);

    public bool Frozen => _frozen;

    private async Task AcceptAsync()
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
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }
            try
            {
                await server.ConnectAsync(_upstream, _stop.Token);
            }
            catch (Exception)
            {
                client.Dispose();
                continue;
            }
            _ = Task.Run(() => PumpRequestsAsync(client, server));
            _ = Task.Run(() => PumpRepliesAsync(server, client));
        }
    }

    private async Task PumpRequestsAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        var tail = Array.Empty<byte>();
        var requests = new MetaHidingRewriter();
        try
        {
            while (!_frozen)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0)
                    break;
                if (_freezeOn is not null)
                {
                    // Search across the chunk boundary too: the trigger may be split between two reads.
                    var window = tail.Concat(buffer.Take(n)).ToArray();
                    if (window.AsSpan().IndexOf(_freezeOn) >= 0)
                        _frozen = true;
                    tail = window[Math.Max(0, window.Length - _freezeOn.Length)..];
                }
                if (_frozen)
                    break;
                if (_withoutMeta)
                    await to.SendAsync(requests.Rewrite(buffer.AsSpan(0, n)), SocketFlags.None, _stop.Token);
                else
                    await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
            if (!_frozen)
                to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception)
        {
            // A side went away: the other pump ends with it.
        }
    }

    private async Task PumpRepliesAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        var line = new List<byte>();
        long dataLeft = 0;
        long dataOffset = 0;
        long corruptAt = -1;
        try
        {
            while (!_frozen)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0 || _frozen)
                    break;
                // Complete reply lines and data bytes go out; a partial line waits for the rest of it.
                var output = new List<byte>(n + 64);
                var i = 0;
                while (i < n)
                {
                    if (dataLeft > 0)
                    {
                        var take = (int)Math.Min(dataLeft, n - i);
                        if (corruptAt >= dataOffset && corruptAt < dataOffset + take)
                        {
                            buffer[i + (int)(corruptAt - dataOffset)] ^= 0x01;
                            Interlocked.Increment(ref _corrupted);
                        }
                        output.AddRange(buffer.AsSpan(i, take).ToArray());
                        dataOffset += take;
                        dataLeft -= take;
                        i += take;
                        continue;
                    }
                    var newline = Array.IndexOf(buffer, (byte)'\n', i, n - i);
                    if (newline < 0)
                    {
                        line.AddRange(buffer.AsSpan(i, n - i).ToArray());
                        break;
                    }
                    line.AddRange(buffer.AsSpan(i, newline + 1 - i).ToArray());
                    i = newline + 1;
                    var text = Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r', '\n');
                    if (_replaceReply is { } swap && text == swap.From)
                        output.AddRange(Encoding.Latin1.GetBytes(swap.To + "\r\n"));
                    else
                        output.AddRange(line);
                    line.Clear();
                    if (DataLength(text) is { } bytes)
                    {
                        dataLeft = bytes + 2;
                        dataOffset = 0;
                        corruptAt = _corruptFrom is { } from1 && bytes >= from1 ? bytes / 2 : -1;
                    }
                }
                await to.SendAsync(output.ToArray(), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception)
        {
        }
    }

    /// <summary>
    /// Rewrites the first letter of meta command lines to 'x' (memcached answers ERROR, as before 1.6), holding
    /// back a partial line until it is complete and passing the data blocks of text storage commands untouched.
    /// </summary>
    private sealed class MetaHidingRewriter
    {
        private static readonly string[] StorageCommands = ["set", "add", "replace", "append", "prepend", "cas"];
        private static readonly string[] MetaCommands = ["mg", "ms", "md", "ma", "mn", "me"];
        private readonly List<byte> _line = [];
        private long _dataLeft;

        public byte[] Rewrite(ReadOnlySpan<byte> chunk)
        {
            var output = new List<byte>(chunk.Length + 16);
            var i = 0;
            while (i < chunk.Length)
            {
                if (_dataLeft > 0)
                {
                    var take = (int)Math.Min(_dataLeft, chunk.Length - i);
                    output.AddRange(chunk.Slice(i, take).ToArray());
                    _dataLeft -= take;
                    i += take;
                    continue;
                }
                var newline = chunk[i..].IndexOf((byte)'\n');
                if (newline < 0)
                {
                    _line.AddRange(chunk[i..].ToArray());
                    break;
                }
                _line.AddRange(chunk.Slice(i, newline + 1).ToArray());
                i += newline + 1;
                var text = Encoding.Latin1.GetString(_line.ToArray()).TrimEnd('\r', '\n');
                var tokens = text.Split(' ');
                if (MetaCommands.Contains(tokens[0]))
                    _line[0] = (byte)'x';
                else if (StorageCommands.Contains(tokens[0]) && tokens.Length >= 5 && long.TryParse(tokens[4], NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
                    _dataLeft = bytes + 2;
                output.AddRange(_line);
                _line.Clear();
            }
            return [.. output];
        }
    }

    /// <summary>The data block length a reply line announces: VALUE key flags bytes [cas], or VA bytes flags*.</summary>
    private static long? DataLength(string line)
    {
        var parts = line.Split(' ');
        var text = parts[0] switch
        {
            "VALUE" when parts.Length >= 4 => parts[3],
            "VA" when parts.Length >= 2 => parts[1],
            _ => null,
        };
        return text is not null && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
                socket.Dispose();
        }
        try
        {
            await _accept;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
