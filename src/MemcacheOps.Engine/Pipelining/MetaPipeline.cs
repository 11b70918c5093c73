using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Pipelining;

/// <summary>
/// Runs batches of meta commands over one connection with a writer and a reader working at the same
/// time. Each batch ends with <c>mn</c>, so quiet-mode commands (<c>q</c>) still have a barrier; up to
/// <see cref="Window"/> batches are in flight. The reader never waits on the writer and the writer never
/// waits on the reader except for window credit, so a large pipelined write cannot deadlock against
/// the server's pending replies.
/// <para>
/// Limits: a batch's operations and value bytes are charged to the throttle before the batch is registered
/// with the reader and sent, so the reader only ever waits for replies to requests that left; what fetches
/// brought back beyond or short of what was expected is settled once their replies are in.
/// </para>
/// <para>
/// Faults: each batch's reply runs on the connection's reply clock (see <see cref="MemcachedConnection.BeginReply"/>),
/// so a silent or trickling server fails the reader; whatever ends one loop cancels the other. The failure is
/// given to <c>onFailure</c> before <see cref="RunAsync"/> throws it, so the stages that feed the pipeline
/// complete their queues and pools with it instead of waiting for batches the pipeline will never give back.
/// </para>
/// </summary>
public sealed class MetaPipeline<TBatch>
    where TBatch : class
{
    private static readonly byte[] NoOpCommand = "mn\r\n"u8.ToArray();

    private readonly MemcachedConnection _connection;
    private readonly IMetaBatchHandler<TBatch> _handler;
    private readonly IThrottle _throttle;

    public MetaPipeline(MemcachedConnection connection, IMetaBatchHandler<TBatch> handler, int window, IThrottle? throttle = null,
        int coalesceBytes = 256 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _connection = connection;
        _handler = handler;
        _throttle = throttle ?? Unthrottled.Instance;
        Window = window;
        CoalesceBytes = coalesceBytes;
    }

    /// <summary>Batches allowed in flight at once.</summary>
    public int Window { get; }

    /// <summary>Batches are coalesced into one socket write until this many bytes are pending.</summary>
    public int CoalesceBytes { get; }

    /// <summary>Batches whose MN has arrived.</summary>
    public long CompletedBatches => Interlocked.Read(ref _completed);

    private long _completed;

    /// <summary>
    /// Sends every batch from <paramref name="input"/> and handles every reply. Completes when the
    /// input is completed and every batch sent has been answered; throws on connection or protocol errors,
    /// after handing the failure to <paramref name="onFailure"/> (not called when the caller cancelled).
    /// </summary>
    public async Task RunAsync(ChannelReader<TBatch> input, CancellationToken cancellationToken, Action<Exception>? onFailure = null)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = Channel.CreateUnbounded<TBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var credits = new SemaphoreSlim(Window, Window);
        var writer = Task.Run(() => WriteLoopAsync(input, inFlight.Writer, credits, linked.Token), linked.Token);
        var reader = Task.Run(() => ReadLoopAsync(inFlight.Reader, credits, linked.Token), linked.Token);
        // Whichever fails first cancels the other, so neither waits on a dead peer.
        var first = await Task.WhenAny(writer, reader).ConfigureAwait(false);
        if (!first.IsCompletedSuccessfully)
            await linked.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(writer, reader).ConfigureAwait(false);
        }
        catch
        {
            await linked.CancelAsync().ConfigureAwait(false);
            // The cause, not the cancellation it triggered in the other loop.
            var failure = Cause(first) ?? Cause(writer) ?? Cause(reader);
            if (failure is null)
                throw;
            onFailure?.Invoke(failure);
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static Exception? Cause(Task loop)
        => loop.Exception?.InnerException is { } error && error is not OperationCanceledException ? error : null;

    private async Task WriteLoopAsync(ChannelReader<TBatch> input, ChannelWriter<TBatch> inFlight, SemaphoreSlim credits, CancellationToken token)
    {
        using var buffer = new PooledBufferWriter(CoalesceBytes + 64 * 1024);
        // Batches serialised into the buffer and not yet registered with the reader.
        var coalesced = new List<TBatch>(Window);
        try
        {
            while (await input.WaitToReadAsync(token).ConfigureAwait(false))
            {
                // Coalesce what is ready into one write; never wait for more (no timed coalescing),
                // and never wait for window credit while holding unsent bytes (the reader needs them sent).
                while (buffer.WrittenCount < CoalesceBytes)
                {
                    if (buffer.WrittenCount == 0)
                        await credits.WaitAsync(token).ConfigureAwait(false);
                    else if (!credits.Wait(0, CancellationToken.None))
                        break;
                    if (!input.TryRead(out var batch))
                    {
                        credits.Release();
                        break;
                    }
                    if (_handler.TryGetSerialized(batch, out var serialized, out var serializedOps))
                    {
                        // Send what is pending first, then the batch from its own buffer (no copy).
                        await SendAsync(buffer.WrittenMemory, coalesced, inFlight, token).ConfigureAwait(false);
                        buffer.Reset();
                        await _throttle.WaitAsync(serializedOps, _handler.ValueBytesBefore(batch), token).ConfigureAwait(false);
                        coalesced.Add(batch);
                        await SendAsync(serialized, coalesced, inFlight, token).ConfigureAwait(false);
                        continue;
                    }
                    var start = buffer.WrittenCount;
                    _handler.Serialize(batch, buffer, out var ops);
                    buffer.Write(NoOpCommand);
                    // Charged one batch at a time, so the limits pace batches rather than coalesced groups of them
                    // (a window of fetch batches may expect megabytes of values). A batch the limit holds back waits
                    // unsent and unregistered; what the limit let through before it leaves first, as for credit.
                    var charge = _throttle.WaitAsync(ops, _handler.ValueBytesBefore(batch), token);
                    if (!charge.IsCompleted)
                    {
                        var waiting = charge.AsTask();
                        if (coalesced.Count > 0)
                        {
                            try
                            {
                                await SendAsync(buffer.WrittenMemory[..start], coalesced, inFlight, token).ConfigureAwait(false);
                            }
                            catch
                            {
                                Observe(waiting);
                                throw;
                            }
                            KeepFrom(buffer, start);
                        }
                        await waiting.ConfigureAwait(false);
                    }
                    coalesced.Add(batch);
                }
                await SendAsync(buffer.WrittenMemory, coalesced, inFlight, token).ConfigureAwait(false);
                buffer.Reset();
            }
            inFlight.TryComplete();
        }
        catch (Exception ex)
        {
            inFlight.TryComplete(ex);
            throw;
        }
    }

    /// <summary>
    /// Registers the batches (which the throttle already let go) with the reader and sends their bytes:
    /// registered before the bytes leave, so the reader always knows whose reply comes next, and only once the
    /// throttle let them go, so the reader's reply clock never runs for a request still held back.
    /// </summary>
    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, List<TBatch> batches, ChannelWriter<TBatch> inFlight, CancellationToken token)
    {
        if (batches.Count == 0)
            return;
        foreach (var batch in batches)
            inFlight.TryWrite(batch);
        batches.Clear();
        await _connection.SendAsync(bytes, token).ConfigureAwait(false);
    }

    /// <summary>Keeps only the bytes from <paramref name="start"/> on, moved to the front of the buffer.</summary>
    private static void KeepFrom(PooledBufferWriter buffer, int start)
    {
        var tail = buffer.WrittenSpan[start..];
        buffer.Reset();
        buffer.Write(tail); // the same array: Span copies handle the overlap
    }

    /// <summary>A throttle wait abandoned because sending failed: its cancellation must not go unobserved.</summary>
    private static void Observe(Task waiting)
        => waiting.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private async Task ReadLoopAsync(ChannelReader<TBatch> inFlight, SemaphoreSlim credits, CancellationToken token)
    {
        while (await inFlight.WaitToReadAsync(token).ConfigureAwait(false))
        {
            while (inFlight.TryRead(out var batch))
            {
                await ReadBatchAsync(batch, token).ConfigureAwait(false);
                Interlocked.Increment(ref _completed);
                credits.Release();
            }
        }
        if (_connection.BufferedCount > 0)
            MetaReplyParser.ThrowProtocol("bytes after the last batch", _connection.Buffered);
    }

    private async ValueTask ReadBatchAsync(TBatch batch, CancellationToken token)
    {
        // The batch's replies (each 64 KiB of them) must arrive within the read timeout of now.
        _connection.BeginReply();
        while (true)
        {
            if (TryHandleBufferedReplies(batch, out var needed))
            {
                _connection.EndReply();
                return;
            }
            if (needed > 0)
                _connection.EnsureCapacity(needed);
            await _connection.FillAsync(token).ConfigureAwait(false);
        }
    }

    /// <summary>Handles every complete reply in the buffer; true when the batch's MN was reached.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private bool TryHandleBufferedReplies(TBatch batch, out int needed)
    {
        needed = 0;
        while (true)
        {
            var buffered = _connection.Buffered;
            if (!MetaReplyParser.TryParseHeader(buffered, out var reply))
                return false;
            if (reply.Kind == MetaReplyKind.NoOp)
            {
                _connection.Consume(reply.HeaderLength);
                // Read before the handler hands the batch back for reuse.
                var unexpected = _handler.ValueBytesAfter(batch) - _handler.ValueBytesBefore(batch);
                _handler.OnBatchComplete(batch);
                if (unexpected != 0)
                    _throttle.Settle(unexpected);
                return true;
            }
            var total = reply.TotalLength;
            if (buffered.Length < total)
            {
                needed = total;
                return false;
            }
            if (reply.Kind == MetaReplyKind.Value && (buffered[total - 2] != (byte)'\r' || buffered[total - 1] != (byte)'\n'))
                MetaReplyParser.ThrowProtocol("a value block not followed by \\r\\n", buffered[..Math.Min(total, 80)]);
            _handler.OnReply(batch, reply, buffered[..total]);
            _connection.Consume(total);
        }
    }
}
