namespace MemcacheOps.Engine.Compare;

/// <summary>
/// Counts work handed to other threads and completes a task once the producer is done and every
/// piece has come back. Starts at one for the producer itself, released by <see cref="ProducerDone"/>.
/// </summary>
internal sealed class PendingCounter
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending = 1;

    public Task Completion => _done.Task;

    public void Add() => Interlocked.Increment(ref _pending);

    public void Done()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
            _done.TrySetResult();
    }

    public void ProducerDone() => Done();
}
