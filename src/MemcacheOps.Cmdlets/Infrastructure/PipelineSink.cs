using System.Threading.Channels;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>
/// The engine's sink for a cmdlet: everything goes into ONE bounded queue that the pipeline thread
/// drains, because PowerShell allows Write* calls only on that thread. Results, errors and warnings wait
/// when the queue is full (so a slow pipeline slows the engine, within its memory bounds, and nothing the
/// user must see is dropped) until the operation is stopped, after which nobody reads the queue any more;
/// progress is dropped when the queue is full, because only the latest snapshot matters.
/// </summary>
internal sealed class PipelineSink : IOperationSink
{
    private const int DefaultCapacity = 1024;

    private readonly Channel<PipelineMessage> _queue;
    private readonly CancellationToken _stopped;

    /// <param name="stopped">Cancelled when the pipeline stops reading (Ctrl+C, a downstream stop, a failure).</param>
    /// <param name="capacity">Messages the queue holds before writers wait.</param>
    public PipelineSink(CancellationToken stopped, int capacity = DefaultCapacity)
    {
        _stopped = stopped;
        _queue = Channel.CreateBounded<PipelineMessage>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
    }

    public ChannelReader<PipelineMessage> Reader => _queue.Reader;

    public void Complete(Exception? error) => _queue.Writer.TryComplete(error);

    public ValueTask EmitAsync(object result, CancellationToken cancellationToken)
        => _queue.Writer.WriteAsync(new PipelineMessage.Result(result), cancellationToken);

    public void Error(MemcacheException error) => Post(new PipelineMessage.Failure(error));

    public void Warning(string message) => Post(new PipelineMessage.Warning(message));

    public void Verbose(string message) => Post(new PipelineMessage.Verbose(message));

    public void Progress(ProgressSnapshot snapshot) => _queue.Writer.TryWrite(new PipelineMessage.Progress(snapshot));

    /// <summary>
    /// Errors and warnings must not be lost: wait for room (blocking a worker, never the pipeline thread),
    /// for as long as the pipeline reads. Once it has stopped, the message has nowhere to go.
    /// </summary>
    private void Post(PipelineMessage message)
    {
        if (_queue.Writer.TryWrite(message))
            return;
        try
        {
            var pending = _queue.Writer.WriteAsync(message, _stopped);
            if (!pending.IsCompleted)
                pending.AsTask().Wait(_stopped);
            else
                pending.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException
            || ex is AggregateException { InnerException: OperationCanceledException or ChannelClosedException })
        {
            // Stopped, or completed: nobody reads the queue any more.
        }
    }
}
