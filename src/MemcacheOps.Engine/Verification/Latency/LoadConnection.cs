using System.Diagnostics;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// One connection of a latency run. Requests wait in a fixed ring of <see cref="LatencyOptions.Pipeline"/> slots
/// (registered before their bytes leave, so the reader always knows whose reply comes next); the reader loop
/// parses replies in order, records each latency and counts each outcome.
/// <para>
/// Open loop: the run's pacer thread calls <see cref="Pace"/> about once a millisecond and sends every request
/// whose scheduled time has come, while slots are free. A request's latency runs from its scheduled time, so
/// requests that wait behind a stalled server (or a full pipeline) are charged the wait: coordinated omission is
/// corrected. Closed loop: the reader sends a new request for each reply, and latency equals service time.
/// </para>
/// Nothing here allocates per request: the ring, the send buffer and the counters are reused.
/// </summary>
internal sealed class LoadConnection : IDisposable
{
    private const int Down = 0;
    private const int Ready = 1;

    private struct Pending
    {
        public LoadOperation Operation;
        public bool Verify;
        public int Key;
        /// <summary>Stores: the version written. Reads: the version acknowledged when the read was sent (the oldest it may return).</summary>
        public int Version;
        public long Scheduled;
        public long Sent;
    }

    private readonly LoadContext _context;
    private readonly LoadServer _server;
    private readonly Pending[] _ring;
    private readonly int _depth;
    private readonly PooledBufferWriter _writer = new(16 * 1024);
    private readonly byte[] _key;
    private readonly long[] _counts = new long[LoadOperations.Count * 3];
    private readonly long[] _errors = new long[6];
    private readonly double _intervalTicks;
    private readonly double _phase;
    private FastRandom _random;
    private int _cursor;
    private double _nextDue;
    private long _head;
    private long _tail;
    private MemcachedConnection? _connection;
    private int _state = Down;
    private int _pacerBusy;
    private Task? _sendTask;
    private volatile bool _timedOut;
    private long _notSent;
    private long _verified;
    private long _downSince;

    public LoadConnection(LoadContext context, LoadServer server, int index, int connectionsInRun, int indexInRun)
    {
        _context = context;
        _server = server;
        Index = index;
        _depth = context.Options.Pipeline;
        _ring = new Pending[_depth];
        _key = new byte[context.MaxKeyLength];
        _random = new FastRandom(FastRandom.Mix(context.Seed, (ulong)indexInRun + 1));
        _cursor = (int)((long)context.Options.KeyCount * index / Math.Max(1, context.Options.Connections));
        if (context.OpenLoop)
        {
            var perConnection = context.Options.TargetRate / connectionsInRun;
            _intervalTicks = Stopwatch.Frequency / perConnection;
            // Stagger the connections' schedules so their requests interleave instead of leaving together.
            _phase = _intervalTicks * indexInRun / connectionsInRun;
        }
        _downSince = Stopwatch.GetTimestamp();
    }

    public int Index { get; }

    public long InFlight => Volatile.Read(ref _tail) - Volatile.Read(ref _head);

    public bool IsUp => Volatile.Read(ref _state) == Ready;

    /// <summary>Stopwatch ticks since when the connection has been down (0 while it is up).</summary>
    public long DownSince => Volatile.Read(ref _downSince);

    public long NotSent => Interlocked.Read(ref _notSent);

    /// <summary>Open loop: every request scheduled within the duration has been sent (or counted as not sent).</summary>
    public bool ScheduleDone => !_context.OpenLoop || Volatile.Read(ref _nextDue) >= _context.EndTicks;

    public long Verified => Interlocked.Read(ref _verified);

    public long Count(int slot) => Interlocked.Read(ref _counts[slot]);

    public long ErrorCount(LoadErrorClass errorClass) => Interlocked.Read(ref _errors[(int)errorClass]);

    /// <summary>Called once, when the measured phase starts: the first request is due at the start (plus this connection's stagger).</summary>
    public void StartSchedule(long startTicks) => _nextDue = startTicks + _phase;

    /// <summary>
    /// The reader loop: connects (and reconnects after a failure, with back-off), sends the closed loop's requests,
    /// parses replies. Ends when <paramref name="cancellationToken"/> is cancelled, after the run has drained.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        while (!cancellationToken.IsCancellationRequested)
        {
            MemcachedConnection connection;
            try
            {
                connection = await MemcachedConnection.OpenAsync(_server.Endpoint, _context.Options.Connection, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (MemcacheException ex)
            {
                Interlocked.Increment(ref _errors[(int)LoadErrorClass.Reset]);
                _server.Warn($"Connection {Index + 1} to {_server.Name} could not be reopened: {ex.Message}");
                try
                {
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.TicksPerSecond));
                continue;
            }
            backoff = TimeSpan.FromMilliseconds(50);
            _connection = connection;
            _timedOut = false;
            Volatile.Write(ref _downSince, 0);
            Interlocked.Exchange(ref _state, Ready);
            try
            {
                await ReadAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The run is over; whatever is still in flight never got an answer in time.
                await BreakAsync(connection, LoadErrorClass.Timeout).ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                var errorClass = _timedOut || ex is MemcacheException { Kind: MemcacheErrorKind.Timeout } ? LoadErrorClass.Timeout : LoadErrorClass.Reset;
                if (!(_context.Stopping && InFlight == 0))
                {
                    _server.Warn(_timedOut
                        ? $"Connection {Index + 1} to {_server.Name}: no reply for {_context.Options.Connection.ReadTimeout.TotalSeconds:0.#} s; its {InFlight} requests in flight count as timeouts and the connection is reopened."
                        : $"Connection {Index + 1} to {_server.Name} failed ({ex.Message}); its {InFlight} requests in flight count as errors and the connection is reopened.");
                }
                await BreakAsync(connection, errorClass).ConfigureAwait(false);
            }
        }
        Interlocked.Exchange(ref _state, Down);
    }

    private async Task ReadAsync(MemcachedConnection connection, CancellationToken cancellationToken)
    {
        if (!_context.OpenLoop)
        {
            await _context.Started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            await RefillAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        while (true)
        {
            var needed = ProcessReplies(connection);
            if (needed > 0)
                connection.EnsureCapacity(needed);
            if (!_context.OpenLoop && !_context.Stopping)
                await RefillAsync(connection, cancellationToken).ConfigureAwait(false);
            // No read timeout here: an idle connection is fine. Requests that wait too long are found by the
            // pacer (CheckTimeout), which closes the connection and so ends this read.
            await connection.FillAsync(cancellationToken, Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        }
    }

    /// <summary>Closed loop: fills every free slot with a new request and sends them in one write.</summary>
    private async ValueTask RefillAsync(MemcachedConnection connection, CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        if (now >= _context.EndTicks)
            return;
        _writer.Reset();
        while (InFlight < _depth)
            Enqueue(now, now);
        if (_writer.WrittenCount > 0)
            await connection.SendAsync(_writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Open loop, on the pacer thread: sends every request that is due, as long as slots are free. While the
    /// connection is down the due requests are counted as not sent, and the schedule moves on. After the duration
    /// the pacer goes on until every request scheduled within it is sent: one that waited for a slot when the
    /// duration ended (a server stalled at the end) is sent late and charged the wait, not dropped.
    /// </summary>
    public void Pace(long now)
    {
        Interlocked.Exchange(ref _pacerBusy, 1);
        if (_sendTask is { } pending)
        {
            if (!pending.IsCompleted)
                return; // a large write still going out: the buffer is in use, try again next tick
            _ = pending.Exception; // observed: the reader sees the broken connection itself
            _sendTask = null;
        }
        if (Volatile.Read(ref _state) != Ready)
        {
            while (_nextDue <= now && _nextDue < _context.EndTicks)
            {
                _nextDue += _intervalTicks;
                Interlocked.Increment(ref _notSent);
            }
            Volatile.Write(ref _pacerBusy, 0);
            return;
        }
        _writer.Reset();
        while (_nextDue <= now && _nextDue < _context.EndTicks && InFlight < _depth)
        {
            Enqueue((long)_nextDue, now);
            _nextDue += _intervalTicks;
        }
        if (_writer.WrittenCount > 0)
        {
            try
            {
                var send = _connection!.SendAsync(_writer.WrittenMemory, CancellationToken.None);
                if (!send.IsCompletedSuccessfully)
                {
                    _sendTask = send.AsTask();
                    return;
                }
            }
            catch (Exception ex) when (ex is MemcacheException or ObjectDisposedException or InvalidOperationException)
            {
                // The connection broke under us; the reader counts the requests in flight.
            }
        }
        Volatile.Write(ref _pacerBusy, 0);
    }

    /// <summary>At the end of the schedule: the requests that were due and never sent (every slot taken until the end).</summary>
    public void FinishSchedule()
    {
        if (!_context.OpenLoop)
            return;
        var left = Math.Ceiling((_context.EndTicks - _nextDue) / _intervalTicks);
        if (left > 0)
            Interlocked.Add(ref _notSent, (long)left);
    }

    /// <summary>On the pacer thread: closes the connection when its oldest request has waited longer than the timeout.</summary>
    public void CheckTimeout(long now)
    {
        if (Volatile.Read(ref _state) != Ready)
            return;
        var head = Volatile.Read(ref _head);
        if (Volatile.Read(ref _tail) == head)
            return;
        if (now - _ring[head % _depth].Sent <= _context.TimeoutTicks)
            return;
        _timedOut = true;
        _connection?.Dispose();
    }

    private void Enqueue(long scheduled, long sent)
    {
        var options = _context.Options;
        var operation = options.Mix.Pick(_random.NextDouble());
        var key = options.KeyDistribution switch
        {
            KeyDistribution.Zipf => _context.Zipf!.Next(_random.NextDouble()),
            KeyDistribution.Sequential => NextSequential(),
            _ => _random.Next(options.KeyCount),
        };
        if (LoadOperations.IsStore(operation))
            key = OwnKey(key);
        ref var slot = ref _ring[_tail % _depth];
        slot.Operation = operation;
        slot.Key = key;
        slot.Scheduled = scheduled;
        slot.Sent = sent;
        slot.Verify = false;
        if (LoadOperations.IsStore(operation))
        {
            slot.Version = Interlocked.Increment(ref _server.Issued[key]);
        }
        else
        {
            slot.Version = Volatile.Read(ref _server.Acked[key]);
            slot.Verify = LoadOperations.IsRead(operation) && _context.VerifyThreshold > 0 && _random.NextDouble() < _context.VerifyThreshold;
        }
        Serialize(ref slot);
        // Published before the bytes leave, so the reader always finds the request its reply answers.
        Volatile.Write(ref _tail, _tail + 1);
    }

    /// <summary>
    /// Stores of a key always travel over the same connection (key modulo connections), so the server applies them in
    /// the order their versions were issued and the newest acknowledged version is what a later read must return at
    /// least. Stores of the same key on two connections could be applied in either order, and a correct server
    /// would then look stale. The key keeps its place in the distribution's block of <c>Connections</c> keys.
    /// </summary>
    private int OwnKey(int key)
    {
        var connections = _context.Options.Connections;
        if (connections == 1)
            return key;
        var owned = key - key % connections + Index;
        return owned < _context.Options.KeyCount ? owned : Index < _context.Options.KeyCount ? Index : key;
    }

    private int NextSequential()
    {
        var key = _cursor;
        _cursor = _cursor + 1 >= _context.Options.KeyCount ? 0 : _cursor + 1;
        return key;
    }

    private void Serialize(ref Pending slot)
    {
        var w = _writer;
        switch (slot.Operation)
        {
            case LoadOperation.Get:
                w.Write("get "u8);
                WriteKey(slot.Key);
                w.Write("\r\n"u8);
                break;
            case LoadOperation.Mg:
                w.Write("mg "u8);
                WriteKey(slot.Key);
                w.Write(" v\r\n"u8);
                break;
            case LoadOperation.Set:
            {
                var length = _context.Pattern.SizeOf(slot.Key, slot.Version);
                w.Write("set "u8);
                WriteKey(slot.Key);
                w.Write(" 0 "u8);
                w.Write(_context.TtlText);
                w.Write((byte)' ');
                w.WriteDecimal(length);
                w.Write("\r\n"u8);
                WriteValue(slot.Key, slot.Version, length);
                break;
            }
            case LoadOperation.Ms:
            {
                var length = _context.Pattern.SizeOf(slot.Key, slot.Version);
                w.Write("ms "u8);
                WriteKey(slot.Key);
                w.Write((byte)' ');
                w.WriteDecimal(length);
                w.Write(" T"u8);
                w.Write(_context.TtlText);
                w.Write("\r\n"u8);
                WriteValue(slot.Key, slot.Version, length);
                break;
            }
            case LoadOperation.Delete:
                w.Write("delete "u8);
                WriteKey(slot.Key);
                w.Write("\r\n"u8);
                break;
            case LoadOperation.Touch:
                w.Write("touch "u8);
                WriteKey(slot.Key);
                w.Write((byte)' ');
                w.Write(_context.TtlText);
                w.Write("\r\n"u8);
                break;
        }
    }

    private void WriteKey(int key)
    {
        var span = _writer.GetSpan(_context.MaxKeyLength);
        _writer.Advance(_context.WriteKey(key, span));
    }

    private void WriteValue(int key, int version, int length)
    {
        var span = _writer.GetSpan(length + 2);
        _context.Pattern.Write(key, version, span[..length]);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        _writer.Advance(length + 2);
    }

    /// <summary>Handles every complete reply in the buffer; returns the bytes an incomplete large reply needs (or 0).</summary>
    private int ProcessReplies(MemcachedConnection connection)
    {
        while (true)
        {
            var buffered = connection.Buffered;
            if (buffered.IsEmpty)
                return 0;
            var head = _head;
            if (Volatile.Read(ref _tail) == head)
                MetaReplyParser.ThrowProtocol("a reply with no request waiting for it", buffered);
            ref var slot = ref _ring[head % _depth];
            var keyLength = slot.Operation == LoadOperation.Get ? _context.WriteKey(slot.Key, _key) : 0;
            var reply = LoadReplies.Parse(slot.Operation, buffered, _key.AsSpan(0, keyLength));
            if (reply.Status == ReplyStatus.NeedMore)
                return reply.Needed;
            var now = Stopwatch.GetTimestamp();
            switch (reply.Status)
            {
                case ReplyStatus.Done:
                    Complete(ref slot, reply, buffered, now);
                    break;
                case ReplyStatus.Error:
                    Interlocked.Increment(ref _errors[(int)reply.ErrorClass]);
                    break;
                case ReplyStatus.ErrorBreak:
                    Interlocked.Increment(ref _errors[(int)reply.ErrorClass]);
                    var line = System.Text.Encoding.ASCII.GetString(buffered[..reply.Length]).TrimEnd();
                    connection.Consume(reply.Length);
                    Volatile.Write(ref _head, head + 1);
                    throw new MemcacheException(MemcacheErrorKind.ProtocolError, "LatencyStoreRefused",
                        $"{_server.Name} refused a {LoadOperations.Name(slot.Operation)} ('{line}'); the connection is reopened because the server may read the value as a command.", _server.Name);
            }
            connection.Consume(reply.Length);
            Volatile.Write(ref _head, head + 1);
        }
    }

    private void Complete(ref Pending slot, in ParsedReply reply, ReadOnlySpan<byte> buffered, long now)
    {
        var outcome = reply.Outcome;
        if (outcome == LoadOutcome.Stored)
        {
            _server.Acknowledge(slot.Key, slot.Version);
        }
        else if (outcome == LoadOutcome.Hit && slot.Verify)
        {
            Interlocked.Increment(ref _verified);
            var value = buffered.Slice(reply.ValueOffset, reply.ValueLength);
            if (!VerifyValue(slot.Key, slot.Version, value))
            {
                Interlocked.Increment(ref _errors[(int)LoadErrorClass.VerifyMismatch]);
                ReportMismatch(slot.Operation, slot.Key, slot.Version, value);
                return;
            }
        }
        var index = LoadServer.Slot(slot.Operation, outcome);
        Interlocked.Increment(ref _counts[index]);
        _server.Latency[index]!.Record((long)LoadContext.Microseconds(now - slot.Scheduled));
        _server.Service[index]!.Record((long)LoadContext.Microseconds(now - slot.Sent));
    }

    /// <summary>
    /// The value must be one this run wrote under this key, at a version no older than the one acknowledged when
    /// the read was sent and no newer than the newest sent so far, byte for byte.
    /// </summary>
    private bool VerifyValue(int key, int oldest, ReadOnlySpan<byte> value)
    {
        var newest = Volatile.Read(ref _server.Issued[key]);
        var pattern = _context.Pattern;
        if (ValuePattern.TryReadHeader(value, out var valueKey, out var version))
            return valueKey == key && version >= oldest && version <= newest && pattern.Matches(key, version, value);
        // Values under 8 bytes cannot say their version: accept any possible version that matches.
        for (var v = Math.Max(1, oldest); v <= newest && v - oldest < 64; v++)
        {
            if (pattern.Matches(key, v, value))
                return true;
        }
        return false;
    }

    private void ReportMismatch(LoadOperation operation, int key, int oldest, ReadOnlySpan<byte> value)
    {
        var keyText = System.Text.Encoding.ASCII.GetString(_key, 0, _context.WriteKey(key, _key));
        var newest = Volatile.Read(ref _server.Issued[key]);
        var said = ValuePattern.TryReadHeader(value, out var valueKey, out var version)
            ? $"it says key {valueKey} version {version}"
            : "it is too short to say its key";
        _server.Warn($"Verify mismatch on {_server.Name}: {LoadOperations.Name(operation)} {keyText} returned {value.Length} bytes that are not what was written (expected key {key}, version {oldest} to {newest}; {said}).");
    }

    /// <summary>Marks the connection down, waits until the pacer is not using it, and counts every request in flight as failed.</summary>
    private async Task BreakAsync(MemcachedConnection connection, LoadErrorClass errorClass)
    {
        Interlocked.Exchange(ref _state, Down);
        Volatile.Write(ref _downSince, Stopwatch.GetTimestamp());
        connection.Dispose();
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref _pacerBusy) != 0 && _context.OpenLoop && waited.Elapsed < TimeSpan.FromSeconds(2))
            await Task.Delay(1).ConfigureAwait(false);
        var lost = Volatile.Read(ref _tail) - _head;
        if (lost > 0)
            Interlocked.Add(ref _errors[(int)errorClass], lost);
        Volatile.Write(ref _head, Volatile.Read(ref _tail));
        _connection = null;
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _writer.Dispose();
    }
}
