namespace MemcacheOps.Engine.Stats;

/// <summary>Which <c>stats</c> family to read.</summary>
public enum StatsGroup
{
    /// <summary>Plain <c>stats</c>: the server summary.</summary>
    General,
    /// <summary><c>stats slabs</c>: one record per slab class.</summary>
    Slabs,
    /// <summary><c>stats items</c>: one record per slab class with items.</summary>
    Items,
    /// <summary><c>stats settings</c>: the server's configuration.</summary>
    Settings,
    /// <summary><c>stats conns</c>: one record per open connection.</summary>
    Conns,
}
