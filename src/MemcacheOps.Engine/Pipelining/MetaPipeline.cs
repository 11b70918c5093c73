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
    /// input is completed and every batch sent has been answered; throws on connection or protocol errors.
    /// </summary>
    public async Task RunAsync(ChannelReader<TBatch> input, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = Channel.CreateUnbounded<TBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var credits = new SemaphoreSlim(Window, Window);
        var writer = Task.Run(() => WriteLoopAsync(input, inFlight.Writer, credits, linked.Token), linked.Token);
        var reader = Task.Run(() => ReadLoopAsync(inFlight.Reader, credits, linked.Token), linked.Token);
        try
        {
            // Whichever fails first cancels the other so neither waits forever.
            var first = await Task.WhenAny(writer, reader).ConfigureAwait(false);
            if (first.IsFaulted || first.IsCanceled)
                await linked.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(writer, reader).ConfigureAwait(false);
        }
        catch
        {
            await linked.CancelAsync().ConfigureAwait(false);
            var failure = writer.IsFaulted ? writer.Exception!.InnerException : reader.IsFaulted ? reader.Exception!.InnerException : null;
            if (failure is not null && failure is not OperationCanceledException)
                throw failure;
            throw;
        }
    }

    private async Task WriteLoopAsync(ChannelReader<TBatch> input, ChannelWriter<TBatch> inFlight, SemaphoreSlim credits, CancellationToken token)
    {
        using var buffer = new PooledBufferWriter(CoalesceBytes + 64 * 1024);
        try
        {
            while (await input.WaitToReadAsync(token).ConfigureAwait(false))
            {
                buffer.Reset();
                var operations = 0;
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
                        if (buffer.WrittenCount > 0)
                        {
                            await _throttle.WaitAsync(operations, buffer.WrittenCount, token).ConfigureAwait(false);
                            await _connection.SendAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
                            buffer.Reset();
                            operations = 0;
                        }
                        inFlight.TryWrite(batch);
                        await _throttle.WaitAsync(serializedOps, serialized.Length, token).ConfigureAwait(false);
                        await _connection.SendAsync(serialized, token).ConfigureAwait(false);
                        continue;
                    }
                    _handler.Serialize(batch, buffer, out var ops);
                    buffer.Write(NoOpCommand);
                    operations += ops;
                    // Registered before its bytes leave, so the reader always knows whose reply comes next.
                    inFlight.TryWrite(batch);
                }
                if (buffer.WrittenCount == 0)
                    continue;
                await _throttle.WaitAsync(operations, buffer.WrittenCount, token).ConfigureAwait(false);
                await _connection.SendAsync(buffer.WrittenMemory, token).ConfigureAwait(false);
            }
            inFlight.TryComplete();
        }
        catch (Exception ex)
        {
            inFlight.TryComplete(ex);
            throw;
        }
    }

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
        while (true)
        {
            if (TryHandleBufferedReplies(batch, out var needed))
                return;
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
                _handler.OnBatchComplete(batch);
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
