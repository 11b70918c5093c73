using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Tests.Cmdlets;

/// <summary>
/// The queue between an engine operation's workers and the cmdlet's pipeline thread: errors and warnings
/// wait for room rather than being dropped, progress is dropped when full, and a stopped pipeline never
/// leaves a worker waiting.
/// </summary>
public sealed class PipelineSinkTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Errors_and_warnings_posted_to_a_full_queue_all_arrive_in_order_once_the_pipeline_reads()
    {
        using var stop = new CancellationTokenSource();
        var sink = new PipelineSink(stop.Token, capacity: 2);
        var posting = Task.Run(() =>
        {
            for (var i = 0; i < 20; i++)
            {
                if (i % 2 == 0)
                    sink.Warning("warning " + i);
                else
                    sink.Error(new MemcacheException(MemcacheErrorKind.InvalidArgument, "Test", "error " + i));
            }
            sink.Complete(null);
        });

        var texts = new List<string>();
        await foreach (var message in sink.Reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(Patience).Token))
        {
            texts.Add(message switch
            {
                PipelineMessage.Warning w => w.Text,
                PipelineMessage.Failure f => f.Error.Message,
                _ => throw new InvalidOperationException("unexpected " + message),
            });
        }

        await posting.WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? "warning " : "error ") + i), texts);
    }

    [Fact]
    public async Task A_warning_waiting_for_room_returns_as_soon_as_the_pipeline_stops()
    {
        using var stop = new CancellationTokenSource();
        var sink = new PipelineSink(stop.Token, capacity: 1);
        sink.Warning("fills the queue");
        var waiting = Task.Run(() => sink.Warning("waits for room"));
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted, "the second warning should wait while the queue is full and the pipeline runs");

        await stop.CancelAsync();

        await waiting.WaitAsync(Patience);
        Assert.True(sink.Reader.TryRead(out var first));
        Assert.Equal("fills the queue", Assert.IsType<PipelineMessage.Warning>(first).Text);
    }

    [Fact]
    public async Task Progress_is_dropped_when_the_queue_is_full_while_results_wait()
    {
        using var stop = new CancellationTokenSource();
        var sink = new PipelineSink(stop.Token, capacity: 1);
        await sink.EmitAsync("first result", CancellationToken.None);

        sink.Progress(new ProgressSnapshot { Activity = "test", Phase = "dropped" });
        var second = sink.EmitAsync("second result", CancellationToken.None);
        Assert.False(second.IsCompleted, "a result should wait for room");

        Assert.True(sink.Reader.TryRead(out var read));
        Assert.Equal("first result", Assert.IsType<PipelineMessage.Result>(read).Value);
        await second.AsTask().WaitAsync(Patience);
        Assert.True(sink.Reader.TryRead(out read));
        Assert.Equal("second result", Assert.IsType<PipelineMessage.Result>(read).Value);
        Assert.False(sink.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_warning_after_the_operation_completed_returns_at_once()
    {
        using var stop = new CancellationTokenSource();
        var sink = new PipelineSink(stop.Token, capacity: 1);
        sink.Warning("read later");
        sink.Complete(null);

        var late = Task.Run(() => sink.Warning("too late"));

        await late.WaitAsync(Patience);
    }
}
