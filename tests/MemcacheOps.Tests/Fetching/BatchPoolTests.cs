using MemcacheOps.Engine.Fetching;

namespace MemcacheOps.Tests.Fetching;

/// <summary>A pool whose borrower died must end every wait for a batch with the failure, never leave it waiting.</summary>
public sealed class BatchPoolTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Failing_the_pool_ends_a_waiting_rent_and_every_later_one_with_the_failure()
    {
        using var pool = new KeyBatchPool(batches: 1, batchSize: 4);
        var lent = await pool.RentAsync(CancellationToken.None);
        var waiting = pool.RentAsync(CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        var failure = new InvalidOperationException("the pipeline died");
        pool.Fail(failure);
        pool.Fail(new InvalidOperationException("a later failure is not the cause"));

        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(Bound)));
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => pool.RentAsync(CancellationToken.None).AsTask().WaitAsync(Bound)));
        Assert.Same(failure, pool.Failure);
        pool.Return(lent); // a batch coming back after the failure is harmless
        await Assert.ThrowsAsync<InvalidOperationException>(() => pool.RentAsync(CancellationToken.None).AsTask().WaitAsync(Bound));
    }

    [Fact]
    public async Task Rented_batches_come_back_cleared()
    {
        using var pool = new KeyBatchPool(batches: 1, batchSize: 4);
        var batch = await pool.RentAsync(CancellationToken.None);
        batch.Add("k"u8, 10, expectedBytes: 500);
        Assert.Equal(500, batch.ExpectedValueBytes);
        pool.Return(batch);

        var again = await pool.RentAsync(CancellationToken.None);
        Assert.Same(batch, again);
        Assert.Equal(0, again.Count);
        Assert.Equal(0, again.ExpectedValueBytes);
        Assert.Equal(0, again.ReceivedValueBytes);
    }
}
