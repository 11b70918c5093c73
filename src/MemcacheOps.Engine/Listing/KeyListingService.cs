using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Listing;

/// <summary>Options of Get-MemcacheKeys / <c>memcacheops keys</c>.</summary>
public sealed record KeyListingRequest
{
    public required IReadOnlyList<ServerEndpoint> Servers { get; init; }
    public KeyFilter Filter { get; init; } = KeyFilter.None;

    /// <summary>Stop after this many matching keys per server.</summary>
    public long? First { get; init; }

    /// <summary>Emit one <see cref="KeyCountResult"/> per server instead of one object per key.</summary>
    public bool CountOnly { get; init; }

    public ListingOptions Listing { get; init; } = new();
}

/// <summary>The number of matching keys on one server (<c>--count</c>).</summary>
public sealed record KeyCountResult(string Server, long Count, ListingMethod Method, long Listed);

/// <summary>Lists keys of one or more servers, streaming matching items as they arrive.</summary>
public static class KeyListingService
{
    public static async Task RunAsync(KeyListingRequest request, IOperationSink sink, CancellationToken cancellationToken)
    {
        if (request.Servers.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoServer", "No server was given. Name at least one, e.g. 127.0.0.1:11211.");
        // Servers are listed one after another so output is grouped per server and only one
        // listing buffer is alive at a time; each server's own listing is never throttled.
        foreach (var server in request.Servers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await ListServerAsync(server, request, sink, cancellationToken).ConfigureAwait(false);
            }
            catch (MemcacheException ex)
            {
                sink.Error(ex);
            }
        }
    }

    private static async Task ListServerAsync(ServerEndpoint server, KeyListingRequest request, IOperationSink sink, CancellationToken cancellationToken)
    {
        var name = server.ToString();
        long matched = 0;
        var batch = new List<MemcacheKeyInfo>();
        // Counting without filters needs no parsing: every metadump line is exactly one item.
        var countLinesOnly = request.CountOnly && request.Filter.IsEmpty && request.First is null;
        var summary = await ScanAsync(server, request.Listing, sink, async (chunk, token) =>
        {
            if (countLinesOnly)
            {
                matched += chunk.Lines;
                return true;
            }
            batch.Clear();
            var keepGoing = Collect(chunk, name, request, ref matched, request.CountOnly ? null : batch);
            foreach (var item in batch)
                await sink.EmitAsync(item, token).ConfigureAwait(false);
            return keepGoing;
        }, cancellationToken).ConfigureAwait(false);
        if (request.CountOnly)
            await sink.EmitAsync(new KeyCountResult(name, matched, summary.Method, summary.Lines), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses a chunk of lines, counts matches and (when <paramref name="output"/> is given) materialises them.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool Collect(SpillQueue.Chunk chunk, string server, KeyListingRequest request, ref long matched, List<MemcacheKeyInfo>? output)
    {
        Span<byte> key = stackalloc byte[KeyText.MaxDisplayLength];
        var filter = request.Filter;
        var lines = chunk.Span;
        var position = 0;
        while (position < lines.Length)
        {
            if (request.First is { } first && matched >= first)
                return false;
            if (!MetadumpLines.TryReadNext(lines, ref position, key, out var entry, out var keyBytes))
                break;
            if (!filter.IsEmpty && !filter.Matches(keyBytes, entry.Expiry, entry.SlabClass))
                continue;
            matched++;
            if (output is null)
                continue;
            var display = KeyText.ToDisplayString(keyBytes, out var isBinary);
            output.Add(new MemcacheKeyInfo
            {
                Server = server,
                Key = display,
                KeyBytes = keyBytes.ToArray(),
                IsBinaryKey = isBinary,
                Expiration = entry.Expiry < 0 ? null : DateTimeOffset.FromUnixTimeSeconds(entry.Expiry),
                LastAccess = entry.LastAccess > 0 ? DateTimeOffset.FromUnixTimeSeconds(entry.LastAccess) : null,
                Cas = entry.Cas,
                Fetched = entry.Fetched,
                SlabClass = entry.SlabClass,
                Size = entry.Size,
            });
        }
        return request.First is not { } limit || matched < limit;
    }

    /// <summary>
    /// Runs a listing of <paramref name="server"/> through a spill queue and hands each chunk of whole
    /// lines to <paramref name="onChunk"/> (which returns false to stop early). The listing socket is
    /// drained independently of the consumer's speed; stopping early closes it, which ends the
    /// server's crawl cleanly.
    /// </summary>
    public static Task<ListingSummary> ScanAsync(ServerEndpoint server, ListingOptions options, IOperationSink diagnostics,
        Func<SpillQueue.Chunk, CancellationToken, ValueTask<bool>> onChunk, CancellationToken cancellationToken)
        => ScanAsync(server, KeySource.Listing, options, diagnostics, onChunk, cancellationToken);

    /// <summary>
    /// As <see cref="ScanAsync(ServerEndpoint, ListingOptions, IOperationSink, Func{SpillQueue.Chunk, CancellationToken, ValueTask{bool}}, CancellationToken)"/>,
    /// with the keys from <paramref name="keys"/>: the server's listing, or keys the user gave, looked up on the server.
    /// </summary>
    public static async Task<ListingSummary> ScanAsync(ServerEndpoint server, KeySource keys, ListingOptions options, IOperationSink diagnostics,
        Func<SpillQueue.Chunk, CancellationToken, ValueTask<bool>> onChunk, CancellationToken cancellationToken)
    {
        using var queue = new SpillQueue(options.MemoryBufferBytes, options.SpillDirectory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var drainer = Task.Run(() => keys.ListAsync(server, options, queue, diagnostics, stop.Token), stop.Token);
        var stoppedEarly = false;
        try
        {
            while (await queue.TakeAsync(stop.Token).ConfigureAwait(false) is { } chunk)
            {
                bool more;
                try
                {
                    more = await onChunk(chunk, stop.Token).ConfigureAwait(false);
                }
                finally
                {
                    SpillQueue.Return(chunk);
                }
                if (!more)
                {
                    stoppedEarly = true;
                    break;
                }
            }
        }
        finally
        {
            if (stoppedEarly || cancellationToken.IsCancellationRequested)
                await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await drainer.ConfigureAwait(false);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // We closed the listing ourselves (early stop or cancellation); its failure is expected.
            }
        }
        if (stoppedEarly)
            return new ListingSummary(options.Method, -1, -1, 0, string.Empty, DateTimeOffset.UtcNow);
        return await drainer.ConfigureAwait(false);
    }
}
