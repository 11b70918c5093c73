using System.Diagnostics;
using System.Globalization;

namespace MemcacheOps.Engine.Connections;

/// <summary>
/// The reply clock. A read timeout alone cannot see a server that trickles its reply (a stalled host,
/// a congested or throttling middlebox, a proxy gone wrong): every read brings a byte within the timeout
/// and the reply never ends. So while a reply is awaited (between <see cref="BeginReply"/> and
/// <see cref="EndReply"/>) the server must also deliver every <see cref="ProgressUnit"/> bytes of it, and
/// the whole of a shorter one, within the read timeout of the moment the client started waiting for them.
/// A healthy server sends 64 KiB in well under a millisecond on a LAN, so only a failing peer meets the
/// rule; a long listing or a batch of large values restarts the clock with every 64 KiB that arrives.
/// Only the reader touches this state, so it needs no locking.
/// </summary>
public sealed partial class MemcachedConnection
{
    /// <summary>Bytes of a reply that must arrive within the read timeout; each unit restarts the clock.</summary>
    public const int ProgressUnit = 64 * 1024;

    // Stopwatch timestamp by which the current unit must have arrived; 0 when no reply is awaited.
    private long _replyDeadline;

    // BytesReceived when the current unit started.
    private long _replyMark;

    // When bytes were last seen arriving (at the read after them), and BytesReceived then: a reply that runs
    // out of time after a long gap is reported as silence, one that kept dribbling as a trickle.
    private long _lastArrival;
    private long _lastSeenReceived;

    /// <summary>
    /// Starts the reply clock: called by the reader when it begins waiting for the reply to a request it
    /// sent (a batch's replies, a stats reply, a listing).
    /// </summary>
    public void BeginReply()
    {
        if (_options.ReadTimeout == Timeout.InfiniteTimeSpan)
            return;
        var now = Stopwatch.GetTimestamp();
        _replyMark = _lastSeenReceived = Interlocked.Read(ref _bytesReceived);
        _lastArrival = now;
        _replyDeadline = now + ToTimestampTicks(_options.ReadTimeout);
    }

    /// <summary>Stops the reply clock once the awaited reply is complete.</summary>
    public void EndReply() => _replyDeadline = 0;

    /// <summary>
    /// How long the next read may wait: the read timeout (or <paramref name="timeout"/>), cut short when the
    /// reply clock runs out sooner. Throws <c>MemcacheReplyTooSlow</c> when it already has.
    /// </summary>
    private TimeSpan NextReadLimit(TimeSpan? timeout)
    {
        var limit = timeout ?? _options.ReadTimeout;
        if (_replyDeadline == 0)
            return limit;
        var now = Stopwatch.GetTimestamp();
        var received = Interlocked.Read(ref _bytesReceived);
        if (received != _lastSeenReceived)
        {
            _lastSeenReceived = received;
            _lastArrival = now;
        }
        if (received - _replyMark >= ProgressUnit)
        {
            // A whole unit arrived in time: the next one gets a full timeout from now.
            _replyMark = received;
            _replyDeadline = now + ToTimestampTicks(_options.ReadTimeout);
        }
        var left = Stopwatch.GetElapsedTime(now, _replyDeadline);
        if (left <= TimeSpan.Zero)
            throw Overdue(received - _replyMark);
        return limit == Timeout.InfiniteTimeSpan || left < limit ? left : limit;
    }

    /// <summary>
    /// The failure of a read that waited <paramref name="limit"/>: the reply clock running out (the wait was cut
    /// short for it, or it has passed), else silence for the whole read timeout.
    /// </summary>
    private MemcacheException ReadTimedOut(TimeSpan limit)
    {
        if (_replyDeadline != 0 && (limit < _options.ReadTimeout || Stopwatch.GetTimestamp() >= _replyDeadline))
            return Overdue(Interlocked.Read(ref _bytesReceived) - _replyMark);
        return Silent(limit);
    }

    /// <summary>The reply clock ran out: after a gap of half the timeout or more that is silence; else a trickle.</summary>
    private MemcacheException Overdue(long unitBytes)
    {
        var gap = Stopwatch.GetElapsedTime(_lastArrival);
        return gap >= _options.ReadTimeout / 2 ? Silent(gap) : ReplyTooSlow(unitBytes);
    }

    private MemcacheException Silent(TimeSpan limit)
        => new(MemcacheErrorKind.Timeout, "MemcacheReadTimeout",
            string.Create(CultureInfo.InvariantCulture,
                $"Server {Endpoint} sent nothing for {limit.TotalSeconds:0.#} s (received {BytesReceived} bytes so far): it is stopped, hung or unreachable, or too overloaded to answer. Check the server and the network to it; raise -Timeout only if it is merely slow."),
            Endpoint.ToString());

    private MemcacheException ReplyTooSlow(long unitBytes)
        => new(MemcacheErrorKind.Timeout, "MemcacheReplyTooSlow",
            string.Create(CultureInfo.InvariantCulture,
                $"Server {Endpoint} is sending its reply too slowly: {unitBytes} bytes in {_options.ReadTimeout.TotalSeconds:0.#} s, less than the whole reply and less than {ProgressUnit / 1024} KiB (received {BytesReceived} bytes so far). A server or network that trickles data is treated as failed: check the server and the network to it, or raise -Timeout."),
            Endpoint.ToString());

    private static long ToTimestampTicks(TimeSpan span)
        => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
