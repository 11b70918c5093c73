using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MemcacheOps.Testing;

/// <summary>One-shot text commands for tests and harness bookkeeping (not for hot paths: a connection per call).</summary>
public static class MemcachedText
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Sends <paramref name="command"/> on a new connection and reads until the reply ends with
    /// <paramref name="terminator"/> (e.g. "\r\n" for one line, "END\r\n" for stats). Bytes map 1:1 to chars
    /// (Latin-1), so binary values survive the round trip.
    /// </summary>
    public static string Send(IPEndPoint server, string command, string terminator = "\r\n", TimeSpan? timeout = null)
        => Send(server, command, terminator, timeout, expectedPrefix: null);

    /// <summary>
    /// As <see cref="Send(IPEndPoint, string, string, TimeSpan?)"/>, for a command that begins with another
    /// one whose reply is <paramref name="expectedPrefix"/> (the authentication of a memcached -Y server):
    /// that reply is checked and removed, and the terminator is looked for after it.
    /// </summary>
    public static string Send(IPEndPoint server, string command, string terminator, TimeSpan? timeout, string? expectedPrefix)
    {
        var limit = timeout ?? DefaultTimeout;
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.ReceiveTimeout = (int)limit.TotalMilliseconds;
        socket.SendTimeout = (int)limit.TotalMilliseconds;
        socket.Connect(server);
        socket.Send(Encoding.Latin1.GetBytes(command));
        var end = Encoding.Latin1.GetBytes(terminator);
        var reply = new MemoryStream();
        var chunk = new byte[64 * 1024];
        var clock = Stopwatch.StartNew();
        var skip = expectedPrefix?.Length ?? 0;
        while (reply.Length < skip || !reply.GetBuffer().AsSpan(skip, (int)reply.Length - skip).EndsWith(end))
        {
            if (skip > 0 && reply.Length >= skip && Text(reply)[..skip] != expectedPrefix)
                throw new IOException($"memcached on {server} answered the first command with {Describe(Text(reply))}, not {Describe(expectedPrefix!)}.");
            if (clock.Elapsed > limit)
                throw new TimeoutException($"memcached on {server} did not finish its reply to {Describe(command)} within {limit.TotalSeconds:0.#} s; got so far: {Describe(Text(reply))}");
            int read;
            try
            {
                read = socket.Receive(chunk);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
            {
                continue;
            }
            if (read == 0)
                throw new IOException($"memcached on {server} closed the connection while answering {Describe(command)}; got: {Describe(Text(reply))}");
            reply.Write(chunk, 0, read);
        }
        var text = Text(reply);
        if (skip > 0 && text[..skip] != expectedPrefix)
            throw new IOException($"memcached on {server} answered with {Describe(text)}, which does not start with {Describe(expectedPrefix!)}.");
        return text[skip..];
    }

    /// <summary>One number from <c>stats</c>, e.g. "curr_items", "get_hits", "rusage_user".</summary>
    public static double Stat(IPEndPoint server, string name) => Stat(Send(server, "stats\r\n", "END\r\n"), server, name);

    /// <summary>One number from the text of a <c>stats</c> reply.</summary>
    public static double Stat(string stats, IPEndPoint server, string name)
    {
        var marker = "STAT " + name + " ";
        var at = stats.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
            throw new InvalidOperationException($"memcached on {server} reports no '{name}' in stats.");
        at += marker.Length;
        return double.Parse(stats.AsSpan(at, stats.IndexOf('\r', at) - at), CultureInfo.InvariantCulture);
    }

    internal static string Describe(string text)
        => "'" + (text.Length > 200 ? text[..200] + "..." : text).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "'";

    private static string Text(MemoryStream reply) => Encoding.Latin1.GetString(reply.GetBuffer(), 0, (int)reply.Length);
}
