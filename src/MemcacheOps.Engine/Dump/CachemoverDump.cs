namespace MemcacheOps.Engine.Dump;

/// <summary>
/// What a cachemover output folder holds, as read by <see cref="CachemoverLayout.Read"/>. A dump is
/// complete only when DONE exists; without it the finished data files are still usable, flagged.
/// </summary>
public sealed class CachemoverDump
{
    internal CachemoverDump(
        string? outputDirectory,
        string completedDirectory,
        IReadOnlyList<CachemoverDataFile> dataFiles,
        CachemoverDone? done,
        string? doneProblem,
        IReadOnlyList<string> ignoredFiles)
    {
        OutputDirectory = outputDirectory;
        CompletedDirectory = completedDirectory;
        DataFiles = dataFiles;
        Done = done;
        DoneProblem = doneProblem;
        IgnoredFiles = ignoredFiles;
    }

    /// <summary>cachemover's output_dir, when it could be told (null when only datafiles_completed was given on its own).</summary>
    public string? OutputDirectory { get; }

    /// <summary>The folder the data files were read from.</summary>
    public string CompletedDirectory { get; }

    /// <summary>Finished data files, sorted by name.</summary>
    public IReadOnlyList<CachemoverDataFile> DataFiles { get; }

    /// <summary>DONE's totals; null when there is no (readable) DONE.</summary>
    public CachemoverDone? Done { get; }

    /// <summary>Why DONE is null: absent, or present but unreadable. Null when complete.</summary>
    public string? DoneProblem { get; }

    public bool IsComplete => Done is not null;

    /// <summary>Files seen but not part of the dump: staging leftovers and unknown names (full paths).</summary>
    public IReadOnlyList<string> IgnoredFiles { get; }
}
