using System.Globalization;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>What discovery learnt about a server before the checks run; checks adapt to it.</summary>
public sealed record NodeProfile
{
    /// <summary>The size of memcached's item header on a 64-bit build (without the CAS field).</summary>
    public const int ItemHeaderSize = 48;

    public required string VersionText { get; init; }

    public Version? Version { get; init; }

    /// <summary>The server answers <c>mn</c> with <c>MN</c> (memcached 1.6 and later).</summary>
    public bool MetaCommands { get; init; }

    /// <summary>The server answers the <c>me</c> debug command, which reports an item's slab class and total size.</summary>
    public bool MetaDebug { get; init; }

    /// <summary>Whether <c>stats settings</c> was answered; the limits below come from it.</summary>
    public bool SettingsKnown { get; init; }

    /// <summary>Largest item the server stores (<c>-I</c>), header included.</summary>
    public long? ItemSizeMax { get; init; }

    /// <summary>Largest slab chunk; items above it are stored in several chunks.</summary>
    public long? SlabChunkMax { get; init; }

    /// <summary>Minimum space for key, value and flags in the smallest chunk (<c>-n</c>).</summary>
    public int ChunkSize { get; init; } = 48;

    public double GrowthFactor { get; init; } = 1.25;

    /// <summary>False when the server runs with <c>-C</c> (no CAS), which removes 8 bytes from every item.</summary>
    public bool CasEnabled { get; init; } = true;

    /// <summary>False when the server runs with <c>-F</c> (flush_all refused).</summary>
    public bool FlushEnabled { get; init; } = true;

    /// <summary>Client flag bits the server keeps: 32 for memcached 1.4.x and later; null when the probe was inconclusive.</summary>
    public int? FlagBits { get; init; }

    /// <summary>Server clock minus this host's clock, from <c>stats</c> <c>time</c>; null when stats were refused.</summary>
    public TimeSpan? ClockSkew { get; init; }

    /// <summary>The server's clock (Unix seconds) when discovery read it, for absolute expiry times.</summary>
    public long? ServerTime { get; init; }

    /// <summary>
    /// Bytes an item takes besides its value: header, CAS, key and its terminating NUL, the value's \r\n, and 4
    /// bytes of client flags when they are not 0 (memcached 1.6's ITEM_ntotal). <c>me</c> reports the real total.
    /// </summary>
    public int ItemOverhead(int keyLength, bool nonZeroFlags)
        => ItemHeaderSize + (CasEnabled ? 8 : 0) + keyLength + 1 + 2 + (nonZeroFlags ? 4 : 0);

    /// <summary>One line for the Discover check's Actual column.</summary>
    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var parts = new List<string> { "memcached " + VersionText };
        parts.Add(ItemSizeMax is { } max ? "item_size_max " + ByteSize.Describe(max) : "item_size_max unknown (stats settings refused)");
        if (SlabChunkMax is { } chunk)
            parts.Add("slab_chunk_max " + ByteSize.Describe(chunk));
        parts.Add(FlagBits is { } bits ? string.Create(c, $"{bits} flag bits") : "flag width unknown");
        parts.Add(MetaCommands ? (MetaDebug ? "meta commands and me" : "meta commands") : "no meta commands");
        if (ClockSkew is { } skew)
            parts.Add(string.Create(c, $"clock {skew.TotalSeconds:+0;-0;0} s"));
        return string.Join(", ", parts);
    }
}
