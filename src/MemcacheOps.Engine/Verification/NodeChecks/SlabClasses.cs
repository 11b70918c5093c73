namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// memcached's slab class chunk sizes as its slabs_init computes them: the smallest holds an item header
/// plus <c>-n</c> bytes, each next one is <c>-f</c> times larger rounded up to 8 bytes, until the next would
/// pass slab_chunk_max / factor; the largest class is slab_chunk_max itself, and larger items span several
/// chunks. Used to choose values that exactly fill a class and one byte more; the server's <c>me</c> reply
/// confirms where they landed.
/// </summary>
public static class SlabClasses
{
    private const int Alignment = 8;
    private const int MaxClasses = 63;

    public static IReadOnlyList<long> ChunkSizes(int chunkSize, double growthFactor, long slabChunkMax, int itemHeaderSize = NodeProfile.ItemHeaderSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(growthFactor, 1.0);
        var sizes = new List<long>();
        var size = (uint)(itemHeaderSize + chunkSize);
        for (var i = 1; i < MaxClasses - 1; i++)
        {
            if (size >= slabChunkMax / growthFactor)
                break;
            if (size % Alignment != 0)
                size += Alignment - (size % Alignment);
            sizes.Add(size);
            size = (uint)(size * growthFactor);
        }
        sizes.Add(slabChunkMax);
        return sizes;
    }
}
