using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Engine.Import;

/// <summary>What an import did (Import-MemcacheData output).</summary>
public sealed class ImportResult
{
    public required string Server { get; init; }
    public required string Path { get; init; }
    public StoreMode Mode { get; init; }

    /// <summary>Records read from files that were loaded.</summary>
    public long Read { get; init; }

    public long Stored { get; init; }

    /// <summary>Add mode: the target already had the key (fresher data from live traffic was kept).</summary>
    public long AlreadyPresent { get; init; }

    /// <summary>Replace mode: the target did not have the key, so nothing was written.</summary>
    public long Absent { get; init; }

    /// <summary>Records whose lifetime had ended (or was under the minimum), not written.</summary>
    public long Expired { get; init; }

    /// <summary>Records larger than the target's item_size_max, not written (writing them would delete the target's copy).</summary>
    public long TooLarge { get; init; }

    /// <summary>Records the target refused (out of memory, errors) or that could not be addressed.</summary>
    public long Failed { get; init; }

    public long Bytes { get; init; }

    /// <summary>Data files fully loaded.</summary>
    public int Files { get; init; }

    /// <summary>Data files reported corrupt, truncated or unreadable, and not loaded.</summary>
    public IReadOnlyList<string> FailedFiles { get; init; } = [];

    public TimeSpan Duration { get; init; }
    public double ItemsPerSecond { get; init; }
    /// <summary>Value bytes per second in MiB (1,048,576 bytes), as the CLI prints it (MiB/s).</summary>
    public double MegabytesPerSecond { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>True when every file was loaded and every record either stored or deliberately skipped.</summary>
    public bool Success => FailedFiles.Count == 0 && Failed == 0;
}
