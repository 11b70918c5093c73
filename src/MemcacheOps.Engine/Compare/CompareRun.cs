using System.Runtime.ExceptionServices;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// The shared fate of one comparison: the first failure anywhere (a connection lost on a reader
/// thread, a corrupt dump file) is recorded and cancels every stage, and is the error reported.
/// </summary>
internal sealed class CompareRun : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private Exception? _failure;

    public CompareRun(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public CancellationToken Token => _stop.Token;

    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Records the failure (the first one wins) and stops everything. Safe from any thread.</summary>
    public void Fail(Exception error)
    {
        if (error is OperationCanceledException && _failure is null && _stop.IsCancellationRequested)
            return;
        if (Interlocked.CompareExchange(ref _failure, error, null) is null)
        {
            // Cancel off the caller's thread: it may be a connection's reader, which must not run other code.
            ThreadPool.QueueUserWorkItem(static stop =>
            {
                try
                {
                    stop.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }
            }, _stop, preferLocal: false);
        }
    }

    /// <summary>Rethrows the recorded failure, if any.</summary>
    public void ThrowIfFailed()
    {
        if (Failure is { } failure)
            ExceptionDispatchInfo.Throw(failure);
    }

    public void Dispose() => _stop.Dispose();
}
