using System.Globalization;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// How much memory a destination has left and how much a set of items would take there. memcached
/// stores each item in a chunk of the smallest slab class that fits it, and gives memory to a class a
/// 1 MiB page at a time, up to <c>-m</c> (<c>limit_maxbytes</c>); pages already handed out are counted
/// in <c>stats slabs</c> <c>total_malloced</c>. So an item of 3,064 bytes takes a 3,632-byte chunk with
/// the default growth factor, and 7 MB of such items do not fit in <c>-m 8</c>. The class sizes are
/// computed the way memcached's slabs_init does from the server's settings (item header 48 bytes plus
/// <c>-n</c>, aligned to 8, times <c>-f</c> until <c>slab_chunk_max</c>); items larger than
/// <c>slab_chunk_max</c> are stored as chunks of that size. Sources are read the same way when the
/// plan is answered from stats (their allocated pages and slab classes).
/// </summary>
internal sealed class DestinationMemory
{
    private const long ItemHeaderBytes = 48;
    private const long PageBytes = 1024 * 1024;
    private const int ChunkAlignBytes = 8;
    private const int MaxClasses = 63;

    private readonly long[] _chunkSizes;
    private readonly long[] _freeChunks;

    private DestinationMemory(long limit, long allocated, long evictions, long items, long itemBytes, long[] chunkSizes, long[] freeChunks)
    {
        Limit = limit;
        Allocated = allocated;
        Evictions = evictions;
        Items = items;
        ItemBytes = itemBytes;
        _chunkSizes = chunkSizes;
        _freeChunks = freeChunks;
    }

    /// <summary>limit_maxbytes (-m).</summary>
    public long Limit { get; }

    /// <summary>Memory already given to slab pages (total_malloced).</summary>
    public long Allocated { get; }

    public long Evictions { get; }

    /// <summary>Items the server holds now (curr_items).</summary>
    public long Items { get; }

    /// <summary>Their total size, header included, as metadump's <c>size=</c> counts it (<c>bytes</c>).</summary>
    public long ItemBytes { get; }

    /// <summary>True when both servers have the same slab classes, so an item takes the same chunk size on either.</summary>
    public bool HasSameClassesAs(DestinationMemory other) => _chunkSizes.AsSpan().SequenceEqual(other._chunkSizes);

    /// <summary>Number of slab classes; per-class counts passed to <see cref="Needed"/> have this length.</summary>
    public int Classes => _chunkSizes.Length;

    public static async Task<DestinationMemory> ReadAsync(ServerEndpoint server, ConnectionOptions options, CancellationToken cancellationToken)
    {
        var (connection, _) = await ServerProbe.ConnectAsync(server, options, cancellationToken).ConfigureAwait(false);
        using (connection)
        {
            var general = ServerStats.FromPairs(server.ToString(), await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false), DateTimeOffset.UtcNow);
            var settings = await StatsService.ReadSettingsAsync(connection, cancellationToken).ConfigureAwait(false);
            // A server that refuses 'stats slabs' (ElastiCache Serverless) has no free chunks to count.
            var slabs = await StatsReader.TryReadAsync(connection, StatsGroup.Slabs, cancellationToken).ConfigureAwait(false) ?? [];
            var slabFields = slabs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var chunkSizes = ChunkSizes(
                Number(settings.Raw, "growth_factor", 1.25),
                (long)Number(settings.Raw, "chunk_size", 48),
                (long)Number(settings.Raw, "slab_chunk_max", PageBytes / 2));
            var freeChunks = new long[chunkSizes.Length];
            for (var c = 0; c < chunkSizes.Length; c++)
                freeChunks[c] = ServerStats.Long(slabFields, (c + 1).ToString(CultureInfo.InvariantCulture) + ":free_chunks");
            return new DestinationMemory(
                general.Raw.ContainsKey("limit_maxbytes") ? general.LimitBytes : -1,
                ServerStats.Long(slabFields, "total_malloced"),
                general.Evictions,
                general.CurrentItems,
                general.BytesUsed,
                chunkSizes,
                freeChunks);
        }
    }

    /// <summary>The chunk size of every slab class, smallest first, as memcached 1.6 computes them.</summary>
    internal static long[] ChunkSizes(double factor, long minimumData, long chunkMax)
    {
        var sizes = new List<long>();
        // memcached keeps the size in an unsigned int: each product is truncated before the next step.
        long size = ItemHeaderBytes + minimumData;
        while (sizes.Count < MaxClasses - 1 && size < chunkMax / factor)
        {
            var aligned = size;
            if (aligned % ChunkAlignBytes != 0)
                aligned += ChunkAlignBytes - aligned % ChunkAlignBytes;
            sizes.Add(aligned);
            size = (long)(aligned * factor);
        }
        sizes.Add(chunkMax);
        return sizes.ToArray();
    }

    /// <summary>
    /// Adds one item of <paramref name="itemSize"/> bytes (metadump <c>size=</c>) to per-class chunk counts.
    /// </summary>
    public void Count(long itemSize, long[] chunksPerClass)
    {
        var largest = _chunkSizes.Length - 1;
        if (itemSize > _chunkSizes[largest])
        {
            chunksPerClass[largest] += (itemSize + _chunkSizes[largest] - 1) / _chunkSizes[largest];
            return;
        }
        var index = Array.BinarySearch(_chunkSizes, itemSize);
        chunksPerClass[index < 0 ? ~index : index]++;
    }

    /// <summary>Memory the chunks would take in new pages, after filling the free chunks the classes already have.</summary>
    public long Needed(long[] chunksPerClass)
    {
        long bytes = 0;
        for (var c = 0; c < chunksPerClass.Length; c++)
        {
            var missing = chunksPerClass[c] - _freeChunks[c];
            if (missing <= 0)
                continue;
            var perPage = Math.Max(1, PageBytes / _chunkSizes[c]);
            bytes += (missing + perPage - 1) / perPage * PageBytes;
        }
        return bytes;
    }

    /// <summary>A settings field that may be fractional (growth_factor), or <paramref name="fallback"/> when absent.</summary>
    private static double Number(IReadOnlyDictionary<string, string> map, string name, double fallback)
        => map.TryGetValue(name, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
