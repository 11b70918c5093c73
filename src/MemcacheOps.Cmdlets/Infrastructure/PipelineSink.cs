using System.Threading.Channels;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>
/// The engine's sink for a cmdlet: everything goes into ONE bounded queue that the pipeline thread
/// drains, because PowerShell allows Write* calls only on that thread. Results wait when the queue is
/// full (so a slow pipeline slows the engine, within its memory bounds); progress is dropped when the
/// queue is full, because only the latest snapshot matters.
/// </summary>
internal sealed class PipelineSink : IOperationSink
{
    private readonly Channel<PipelineMessage> _queue = Channel.CreateBounded<PipelineMessage>(new BoundedChannelOptions(1024)
    {
        SingleReader = true,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
        AllowSynchronousContinuations = false,
    });

    public ChannelReader<PipelineMessage> Reader => _queue.Reader;

    public void Complete(Exception? error) => _queue.Writer.TryComplete(error);

    public ValueTask EmitAsync(object result, CancellationToken cancellationToken)
        => _queue.Writer.WriteAsync(new PipelineMessage.Result(result), cancellationToken);

    public void Error(MemcacheException error) => Post(new PipelineMessage.Failure(error));

    public void Warning(string message) => Post(new PipelineMessage.Warning(message));

    public void Verbose(string message) => Post(new PipelineMessage.Verbose(message));

    public void Progress(ProgressSnapshot snapshot) => _queue.Writer.TryWrite(new PipelineMessage.Progress(snapshot));

    /// <summary>Errors and warnings must not be lost: wait for room (briefly blocking a worker, never the pipeline thread).</summary>
    private void Post(PipelineMessage message)
    {
        if (_queue.Writer.TryWrite(message))
            return;
        var pending = _queue.Writer.WriteAsync(message);
        if (!pending.IsCompleted)
            pending.AsTask().Wait(TimeSpan.FromSeconds(30));
    }
}
