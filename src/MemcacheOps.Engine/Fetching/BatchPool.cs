using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace MemcacheOps.Engine.Fetching;

/// <summary>
/// A fixed set of reusable batches: renting waits while every batch is lent, which bounds memory.
/// A stage that borrows batches and dies (a pipeline whose server froze, reset or trickled) never gives
/// back the ones it holds, so whoever learns of the failure passes it on with <see cref="Fail"/>: from
/// then on every rent, waiting or new, throws that failure instead of waiting for a batch that will not
/// come back.
/// </summary>
public class BatchPool<TBatch> : IDisposable
    where TBatch : class, IDisposable
{
    private readonly Channel<TBatch> _free;
    private readonly List<TBatch> _all;
    private readonly Action<TBatch> _reset;
    private Exception? _failure;

    public BatchPool(int batches, Func<TBatch> create, Action<TBatch> reset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        _reset = reset;
        _free = Channel.CreateBounded<TBatch>(batches);
        _all = new List<TBatch>(batches);
        for (var i = 0; i < batches; i++)
        {
            var batch = create();
            _all.Add(batch);
            _free.Writer.TryWrite(batch);
        }
    }

    /// <summary>The failure given to <see cref="Fail"/>, if any.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>A cleared batch; waits while all are lent. Throws the pool's failure once it has one.</summary>
    public async ValueTask<TBatch> RentAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        TBatch batch;
        try
        {
            batch = await _free.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ThrowIfFailed();
            throw;
        }
        _reset(batch);
        return batch;
    }

    public void Return(TBatch batch) => _free.Writer.TryWrite(batch);

    /// <summary>Ends every wait for a batch with <paramref name="failure"/> (the first failure given is kept).</summary>
    public void Fail(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (Interlocked.CompareExchange(ref _failure, failure, null) is null)
            _free.Writer.TryComplete(failure);
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
            ExceptionDispatchInfo.Throw(failure);
    }

    public void Dispose()
    {
        foreach (var batch in _all)
            batch.Dispose();
    }
}
