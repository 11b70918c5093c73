using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// The plan of a move (what -WhatIf shows and what the preflight checks): each destination's memory
/// (limit, pages in use, slab classes), then one listing of every source routed exactly as the first
/// pass would route it, summing per destination the items, their size (metadump <c>size=</c>) and the
/// slab memory they would take there (<see cref="DestinationMemory"/>). Reads only.
/// <para>
/// When an estimate is allowed and the move is a node replacement (one destination that owns every key)
/// whose destination has more free memory than all the slab pages the sources have allocated, with the
/// same slab classes, the items fit whatever they are: the plan is then answered from the sources'
/// stats and the listing (a full metadump of every source before anything is copied) is skipped.
/// </para>
/// </summary>
internal static class MovePlanner
{
    public static async Task<IReadOnlyList<MovePlan>> PlanAsync(MoveOptions options, MoveRouting routing, IOperationSink sink, bool allowEstimate, CancellationToken cancellationToken)
    {
        var destinations = options.Destinations.Count;
        var memory = new DestinationMemory?[destinations];
        var problems = new string?[destinations];
        await Task.WhenAll(options.Destinations.Select(async (destination, d) =>
        {
            try
            {
                memory[d] = await DestinationMemory.ReadAsync(destination, options.Connection, cancellationToken).ConfigureAwait(false);
            }
            catch (MemcacheException ex)
            {
                problems[d] = ex.Message;
            }
        })).ConfigureAwait(false);

        if (allowEstimate && IsNodeReplacement(options) && memory[0] is { } only
            && await EstimateFromStatsAsync(options, only, cancellationToken).ConfigureAwait(false) is { } estimate)
            return [estimate];

        var totals = new Tally(memory);
        await Task.WhenAll(options.Sources.Select((source, index) => Task.Run(async () =>
        {
            var tally = new Tally(memory);
            await KeyListingService.ScanAsync(source, MoveService.Keys(options), MoveService.ListingOptions(options), sink, (chunk, _) =>
            {
                Count(chunk.Span, routing, index, tally);
                return ValueTask.FromResult(true);
            }, cancellationToken).ConfigureAwait(false);
            lock (totals)
                totals.Add(tally);
        }, cancellationToken))).ConfigureAwait(false);

        var sources = string.Join(",", options.Sources);
        return options.Destinations.Select((destination, d) => new MovePlan
        {
            Source = sources,
            Destination = destination.ToString(),
            Items = totals.Items[d],
            Bytes = totals.Bytes[d],
            MemoryNeeded = memory[d]?.Needed(totals.Chunks[d]) ?? -1,
            LimitBytes = memory[d]?.Limit ?? -1,
            UsedBytes = memory[d]?.Allocated ?? -1,
            Evictions = memory[d]?.Evictions ?? 0,
            Problem = problems[d],
        }).ToList();
    }

    /// <summary>One destination, owner of every key on the new ring, not one of the sources, no -OnlyMoved filter.</summary>
    private static bool IsNodeReplacement(MoveOptions options)
        => options.Destinations.Count == 1 && !options.OnlyMoved && !options.Sources.Contains(options.Destinations[0])
           && (options.RingServers is null || (options.RingServers.Count == 1 && options.RingServers[0].Endpoint.Equals(options.Destinations[0])));

    /// <summary>The plan from the sources' stats when that proves the items fit; null when a listing must decide.</summary>
    private static async Task<MovePlan?> EstimateFromStatsAsync(MoveOptions options, DestinationMemory destination, CancellationToken cancellationToken)
    {
        DestinationMemory[] sources;
        try
        {
            sources = await Task.WhenAll(options.Sources.Select(s => DestinationMemory.ReadAsync(s, options.Connection, cancellationToken))).ConfigureAwait(false);
        }
        catch (MemcacheException)
        {
            return null; // the listing reports the problem with its own message
        }
        var allocated = sources.Sum(s => s.Allocated);
        if (destination.Limit < 0 || allocated > destination.Limit - destination.Allocated || !sources.All(s => s.HasSameClassesAs(destination)))
            return null;
        return new MovePlan
        {
            Source = string.Join(",", options.Sources),
            Destination = options.Destinations[0].ToString(),
            Items = sources.Sum(s => s.Items),
            Bytes = sources.Sum(s => s.ItemBytes),
            MemoryNeeded = allocated,
            LimitBytes = destination.Limit,
            UsedBytes = destination.Allocated,
            Evictions = destination.Evictions,
            Estimated = true,
        };
    }

    private static void Count(ReadOnlySpan<byte> lines, MoveRouting routing, int sourceIndex, Tally tally)
    {
        Span<byte> key = stackalloc byte[KeyText.MaxDisplayLength];
        var position = 0;
        while (MetadumpLines.TryReadNext(lines, ref position, key, out var entry, out var keyBytes))
        {
            if (!KeyCodec.IsAddressable(keyBytes))
                continue;
            var d = routing.Route(keyBytes, KeyIdentity.Of(keyBytes), sourceIndex);
            if (d < 0)
                continue;
            tally.Items[d]++;
            tally.Bytes[d] += entry.Size;
            tally.Memory[d]?.Count(entry.Size, tally.Chunks[d]);
        }
    }

    /// <summary>Per destination: items, item bytes and chunks per slab class.</summary>
    private sealed class Tally(DestinationMemory?[] memory)
    {
        public DestinationMemory?[] Memory { get; } = memory;
        public long[] Items { get; } = new long[memory.Length];
        public long[] Bytes { get; } = new long[memory.Length];
        public long[][] Chunks { get; } = memory.Select(m => new long[m?.Classes ?? 0]).ToArray();

        public void Add(Tally other)
        {
            for (var d = 0; d < Items.Length; d++)
            {
                Items[d] += other.Items[d];
                Bytes[d] += other.Bytes[d];
                for (var c = 0; c < Chunks[d].Length; c++)
                    Chunks[d][c] += other.Chunks[d][c];
            }
        }
    }
}
