namespace MemcacheOps.Engine.Dump;

/// <summary>A data file that was completed: flushed to disk and renamed to its final name.</summary>
public sealed record DataFileInfo(
    string Name,
    string FullPath,
    long Records,
    long Bytes,
    ChecksumAlgorithm ChecksumAlgorithm,
    string Checksum,
    string? Md5)
{
    /// <summary>The SHA-256 of the file when that is its checksum algorithm, else null.</summary>
    public string? Sha256 => ChecksumAlgorithm == ChecksumAlgorithm.Sha256 ? Checksum : null;
}
