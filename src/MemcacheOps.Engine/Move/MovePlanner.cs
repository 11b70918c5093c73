using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// The plan of a move (what -WhatIf shows and what the preflight checks): one listing of every source,
/// routed exactly as the first pass would route it, summing per destination the items and their size in
/// memcached memory (metadump <c>size=</c>: header, key and value, which is what the destination's
/// <c>bytes</c> and <c>limit_maxbytes</c> count); then each destination's memory and evictions. Reads only.
/// </summary>
internal static class MovePlanner
{
    public static async Task<IReadOnlyList<MovePlan>> PlanAsync(MoveOptions options, MoveRouting routing, IOperationSink sink, CancellationToken cancellationToken)
    {
        var items = new long[options.Destinations.Count];
        var bytes = new long[options.Destinations.Count];
        await Task.WhenAll(options.Sources.Select((source, index) => Task.Run(async () =>
        {
            var localItems = new long[items.Length];
            var localBytes = new long[items.Length];
            await KeyListingService.ScanAsync(source, options.Listing with { Connection = options.Connection }, sink, (chunk, _) =>
            {
                Count(chunk.Span, routing, index, localItems, localBytes);
                return ValueTask.FromResult(true);
            }, cancellationToken).ConfigureAwait(false);
            lock (items)
            {
                for (var d = 0; d < items.Length; d++)
                {
                    items[d] += localItems[d];
                    bytes[d] += localBytes[d];
                }
            }
        }, cancellationToken))).ConfigureAwait(false);

        var sources = string.Join(",", options.Sources);
        return await Task.WhenAll(options.Destinations.Select(async (destination, d) =>
        {
            try
            {
                var (connection, _) = await ServerProbe.ConnectAsync(destination, options.Connection, cancellationToken).ConfigureAwait(false);
                using (connection)
                {
                    var stats = ServerStats.FromPairs(destination.ToString(),
                        await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false), DateTimeOffset.UtcNow);
                    return new MovePlan
                    {
                        Source = sources,
                        Destination = destination.ToString(),
                        Items = items[d],
                        Bytes = bytes[d],
                        LimitBytes = stats.LimitBytes,
                        UsedBytes = stats.BytesUsed,
                        Evictions = stats.Evictions,
                    };
                }
            }
            catch (MemcacheException ex)
            {
                return new MovePlan { Source = sources, Destination = destination.ToString(), Items = items[d], Bytes = bytes[d], Problem = ex.Message };
            }
        })).ConfigureAwait(false);
    }

    private static void Count(ReadOnlySpan<byte> lines, MoveRouting routing, int sourceIndex, long[] items, long[] bytes)
    {
        Span<byte> key = stackalloc byte[KeyText.MaxDisplayLength];
        while (!lines.IsEmpty)
        {
            var newline = lines.IndexOf((byte)'\n');
            var line = newline < 0 ? lines : lines[..newline];
            lines = newline < 0 ? default : lines[(newline + 1)..];
            if (!MetadumpEntry.TryParse(line, out var entry))
                continue;
            var length = PercentEncoding.Decode(entry.EncodedKey, key);
            if (length <= 0 || !KeyCodec.IsAddressable(key[..length]))
                continue;
            _ = KeyIdentity.Of(key[..length], out var hash);
            var d = routing.Route(hash, sourceIndex);
            if (d < 0)
                continue;
            items[d]++;
            bytes[d] += entry.Size;
        }
    }
}
