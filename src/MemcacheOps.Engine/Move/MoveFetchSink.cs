using System.Threading.Channels;
using MemcacheOps.Engine.Fetching;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// Turns fetched items into <c>ms</c> commands for their destinations, on the fetch connection's
/// reader thread: values are copied once, straight into the destination's store batch, and nothing
/// here waits. When a fetch batch is complete, its store batches go to the forwarder, which awaits the
/// writers (that is where back-pressure happens, off the reader). One sink per fetch connection.
/// </summary>
internal sealed class MoveFetchSink(MoveContext move, SourceState source, ChannelWriter<MoveFetchBatch> forward) : IFetchedItemSink
{
    private readonly StoreBatch?[] _pending = new StoreBatch?[move.Destinations.Length];
    private long _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public void OnItem(KeyBatch batch, int index, uint flags, long ttl, ReadOnlySpan<byte> value)
    {
        var work = (MoveFetchBatch)batch.Tag!;
        var d = work.Destinations[index];
        var destination = move.Destinations[d];
        var writer = destination.Writer;
        if (destination.Failed || writer is null)
            return;
        var cas = batch.Cas(index);
        var id = work.Ids[index];
        // mg t is the remaining TTL, independent of clocks; 0 left means it expires now: not worth writing
        // (and T0 would make it immortal).
        var expiry = ExpiryMath.AbsoluteFromRemaining(ttl, _now);
        if (!ExpiryMath.TryGetTtlToken(expiry, _now, 0, out var token))
        {
            destination.AddExpired();
            source.Corrections.Enqueue(new KeyCorrection(d, id, cas, expiry, CorrectionKind.NotWritten, work.WasOnDestination[index]));
            return;
        }
        var key = batch.Key(index);
        if (value.Length > ExpiryMath.MaxValueLength(writer.Settings.ItemSizeMax, key.Length, flags))
        {
            // Sending it would make memcached delete the destination's own copy; skip and remember.
            destination.AddTooLarge();
            source.Corrections.Enqueue(new KeyCorrection(d, id, cas, expiry, CorrectionKind.Unwritable, work.WasOnDestination[index]));
            return;
        }
        // Changed (or touched) between listing and fetch: remember the version actually written.
        if ((cas != work.ListedCas[index] && source.CasEnabled) || ExpiryMoved(batch.ListedExpiry(index), expiry))
            source.Corrections.Enqueue(new KeyCorrection(d, id, cas, expiry, CorrectionKind.FetchedNewer, true));
        var store = _pending[d] ??= writer.Rent();
        store.Add(key, flags, token, value, work.Overwrite[index] ? StoreMode.Set : move.Options.Mode);
        if (store.Count >= move.Options.BatchSize || store.CommandBytes >= MoveContext.StoreBatchBytes)
        {
            work.Ready.Add((d, store));
            _pending[d] = null;
        }
    }

    /// <summary>True when the fetched expiry is not the listed one (beyond the second of rounding between clocks).</summary>
    private static bool ExpiryMoved(long listed, long fetched)
        => (listed < 0) != (fetched < 0) || (listed >= 0 && Math.Abs(listed - fetched) > 2);

    public void OnBatchComplete(KeyBatch batch)
    {
        var work = (MoveFetchBatch)batch.Tag!;
        if (batch.Errors > 0)
            throw new MemcacheException(MemcacheErrorKind.ServerError, "MemcacheFetchFailed",
                $"Source {source.Endpoint} answered a fetch with an error: {batch.FirstError}.", source.Endpoint.ToString());
        if (batch.Hits < batch.Count)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch.WasSeen(i))
                    continue;
                // Deleted, expired or evicted since the listing: nothing to write, not an error.
                move.Destinations[work.Destinations[i]].AddMissing(1);
                source.Corrections.Enqueue(new KeyCorrection(work.Destinations[i], work.Ids[i], 0, -1, CorrectionKind.NotWritten, work.WasOnDestination[i]));
            }
        }
        for (var d = 0; d < _pending.Length; d++)
        {
            if (_pending[d] is { } store)
            {
                work.Ready.Add((d, store));
                _pending[d] = null;
            }
        }
        _now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        forward.TryWrite(work); // unbounded, but never holds more than the pool's batches
    }
}
