namespace MemcacheOps.Engine.Dump;

/// <summary>What an export counted. Missing = listed but gone by fetch time (expired, evicted, deleted).</summary>
public sealed class DumpTotals
{
    /// <summary>Keys the listing produced.</summary>
    public long Listed { get; set; }

    /// <summary>Records written to data files.</summary>
    public long Dumped { get; set; }

    /// <summary>Listed keys that no longer existed when fetched.</summary>
    public long Missing { get; set; }

    /// <summary>Keys left out by a filter (e.g. ketama ownership).</summary>
    public long Filtered { get; set; }

    /// <summary>Keys left out on purpose for another reason (e.g. expiring too soon).</summary>
    public long Skipped { get; set; }

    /// <summary>Bytes of all data files.</summary>
    public long Bytes { get; set; }
}
