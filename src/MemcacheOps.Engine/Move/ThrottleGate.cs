using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// A destination's throttle with a pause switch: while paused, the writer's next batch waits here
/// (before its bytes leave), so the eviction policy can hold writes to one server without tearing
/// down its connections.
/// </summary>
internal sealed class ThrottleGate(IThrottle inner) : IThrottle
{
    private TaskCompletionSource? _paused;

    public bool IsPaused => Volatile.Read(ref _paused) is not null;

    public void Pause() => Interlocked.CompareExchange(ref _paused, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    public void Resume() => Interlocked.Exchange(ref _paused, null)?.TrySetResult();

    public ValueTask WaitAsync(int operations, long bytes, CancellationToken cancellationToken)
    {
        var paused = Volatile.Read(ref _paused);
        return paused is null ? inner.WaitAsync(operations, bytes, cancellationToken) : WaitPausedAsync(paused, operations, bytes, cancellationToken);
    }

    public void Settle(long bytes) => inner.Settle(bytes);

    private async ValueTask WaitPausedAsync(TaskCompletionSource paused, int operations, long bytes, CancellationToken cancellationToken)
    {
        await paused.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await inner.WaitAsync(operations, bytes, cancellationToken).ConfigureAwait(false);
    }
}
