using System.Threading.Channels;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Fetching;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// One pass over one source: the listing (<c>metadump hash</c>, drained through a spill queue so the
/// server is never held up) is compared key by key with what the move already copied; new and changed
/// keys are fetched in pipelined <c>mg ... c u</c> batches over several connections, and their values go
/// to the destinations' writers. Memory is bounded by the fetch batch pool: the listing waits (spilling
/// to disk) while the destinations catch up.
/// </summary>
internal sealed class SourcePass(MoveContext move, SourceState source, int listing)
{
    private readonly MoveOptions _options = move.Options;
    private long _unaddressable;

    /// <summary>Keys that vanished and must be deleted on their destination (with -SyncDeletes), by destination.</summary>
    public List<byte[]>[] Deletions { get; } = move.Destinations.Select(_ => new List<byte[]>()).ToArray();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connections = new List<MemcachedConnection>();
        var spool = _options.SyncDeletes ? new ListingSpool(_options.Listing.SpillDirectory) : null;
        try
        {
            for (var i = 0; i < _options.Connections; i++)
                connections.Add((await ServerProbe.ConnectAsync(source.Endpoint, _options.Connection, stop.Token).ConfigureAwait(false)).Connection);
            using var pool = new MoveFetchBatchPool(_options.Connections * (_options.Window + 2), _options.BatchSize);
            var fetchQueue = Channel.CreateBounded<KeyBatch>(new BoundedChannelOptions(_options.Connections * _options.Window + 1) { SingleWriter = true });
            var forward = Channel.CreateUnbounded<MoveFetchBatch>(new UnboundedChannelOptions { SingleReader = true });
            // The first fetch connection that breaks stops the pass at once: the listing must not wait for a free
            // batch (the dead pipeline keeps those it was lent) or for room in the queue, and the other
            // connections stop fetching for a pass that has failed.
            void Stop(Exception failure)
            {
                pool.Fail(failure);
                fetchQueue.Writer.TryComplete(failure);
                MoveService.TryCancel(stop);
            }
            var fetching = Task.WhenAll(connections.Select(c =>
                new MetaPipeline<KeyBatch>(c, new MetaGetHandler(new MoveFetchSink(move, source, forward.Writer), includeCas: true), _options.Window, source.Throttle)
                    .RunAsync(fetchQueue.Reader, stop.Token, Stop)));
            var forwarding = Task.Run(() => ForwardAsync(forward.Reader, pool, stop.Token), CancellationToken.None);
            _ = forwarding.ContinueWith(_ => MoveService.TryCancel(stop), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            try
            {
                await ListAsync(pool, fetchQueue.Writer, spool, stop.Token).ConfigureAwait(false);
                fetchQueue.Writer.TryComplete();
                await fetching.ConfigureAwait(false);
                forward.Writer.TryComplete();
                await forwarding.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                fetchQueue.Writer.TryComplete(ex);
                forward.Writer.TryComplete();
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(fetching.ContinueWith(_ => { }, TaskScheduler.Default), forwarding.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
                // Report the cause, not the cancellation it triggered.
                var cause = fetching.Exception?.InnerException ?? forwarding.Exception?.InnerException ?? ex;
                if (cause is OperationCanceledException && cancellationToken.IsCancellationRequested)
                    throw new OperationCanceledException(cancellationToken);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            }
            source.ApplyCorrections();
            source.Unaddressable = _unaddressable;
            Sweep();
            source.PreviousListing?.Dispose();
            source.PreviousListing = spool;
            spool = null;
        }
        finally
        {
            foreach (var connection in connections)
                connection.Dispose();
            spool?.Dispose();
        }
    }

    /// <summary>Streams the listing into fetch batches; only the keys to copy are fetched.</summary>
    private async Task ListAsync(MoveFetchBatchPool pool, ChannelWriter<KeyBatch> output, ListingSpool? spool, CancellationToken cancellationToken)
    {
        MoveFetchBatch? batch = null;
        var summary = await KeyListingService.ScanAsync(source.Endpoint, MoveService.Keys(_options), MoveService.ListingOptions(_options), move.Sink, async (chunk, token) =>
        {
            spool?.Write(chunk.Span);
            var position = 0;
            while (position < chunk.Length)
            {
                batch ??= await pool.RentAsync(token).ConfigureAwait(false);
                position = Fill(chunk.Buffer.AsSpan(0, chunk.Length), position, batch);
                if (batch.Keys.IsFull)
                {
                    await SubmitAsync(batch, output, token).ConfigureAwait(false);
                    batch = null;
                }
            }
            return true;
        }, cancellationToken).ConfigureAwait(false);
        if (batch is { Keys.Count: > 0 })
            await SubmitAsync(batch, output, cancellationToken).ConfigureAwait(false);
        else if (batch is not null)
            pool.Return(batch);
        source.KeysNotFound = summary.Missing;
    }

    /// <summary>
    /// Queues a batch for fetching. The pipelines charge its operations and the values the source is expected
    /// to send back to the source's limits before they ask (see <see cref="MetaPipeline{TBatch}"/>).
    /// </summary>
    private static ValueTask SubmitAsync(MoveFetchBatch batch, ChannelWriter<KeyBatch> output, CancellationToken cancellationToken)
        => output.WriteAsync(batch.Keys, cancellationToken);

    /// <summary>Routes and classifies listing lines from <paramref name="position"/> until the batch is full; returns the new position.</summary>
    private int Fill(ReadOnlySpan<byte> lines, int position, MoveFetchBatch batch)
    {
        Span<byte> key = stackalloc byte[KeyText.MaxDisplayLength];
        var routing = move.Routing;
        var destinations = move.Destinations;
        while (!batch.Keys.IsFull && MetadumpLines.TryReadNext(lines, ref position, key, out var entry, out var keyBytes))
        {
            var id = KeyIdentity.Of(keyBytes);
            var d = routing.Route(keyBytes, id, source.Index);
            if (d < 0 || destinations[d].Failed)
                continue;
            if (!KeyCodec.IsAddressable(keyBytes))
            {
                _unaddressable++;
                if (!source.WarnedUnaddressable)
                {
                    source.WarnedUnaddressable = true;
                    move.Sink.Warning($"{source.Endpoint}: skipped a key that memcached's meta protocol cannot address ({KeyCodec.WhyNotAddressable(keyBytes)}): {KeyText.ToDisplayString(keyBytes, out _)}");
                }
                continue;
            }
            var change = source.Keys[d].Observe(id, entry.Cas, entry.Expiry, listing, out var wasOnDestination);
            if (change == KeyChange.Unchanged)
                continue;
            destinations[d].AddChanged(1);
            batch.Add(keyBytes, entry.Expiry, entry.Size, id, entry.Cas, d, change == KeyChange.Changed, wasOnDestination);
        }
        return position;
    }

    /// <summary>
    /// Hands each fetched batch's store batches to the destinations' writers, waiting for room (this is
    /// the back-pressure point), then gives the batch back to the pool. A destination that fails is
    /// marked and dropped; the others go on.
    /// </summary>
    private async Task ForwardAsync(ChannelReader<MoveFetchBatch> input, MoveFetchBatchPool pool, CancellationToken cancellationToken)
    {
        await foreach (var batch in input.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var (d, store) in batch.Ready)
                await MoveService.SendAsync(move, move.Destinations[d], store, cancellationToken).ConfigureAwait(false);
            batch.Ready.Clear();
            pool.Return(batch);
        }
    }

    /// <summary>
    /// Keys the listing did not see: forgotten, kept as known differences, or queued for deletion. A key
    /// the destination holds was seen by the previous pass's listing, so its bytes are read back from there.
    /// </summary>
    private void Sweep()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var syncDeletes = _options.SyncDeletes && source.PreviousListing is not null;
        var vanished = new Dictionary<UInt128, int>();
        for (var d = 0; d < source.Keys.Length; d++)
        {
            var destination = d;
            source.Keys[d].Sweep(listing, now, id =>
            {
                if (!syncDeletes || move.Destinations[destination].Failed)
                    return false;
                vanished[id] = destination;
                return true;
            });
        }
        if (vanished.Count == 0)
            return;
        source.PreviousListing!.FindKeys(vanished, (d, key) =>
        {
            Deletions[d].Add(key);
            move.Destinations[d].AddChanged(1);
        });
    }
}
