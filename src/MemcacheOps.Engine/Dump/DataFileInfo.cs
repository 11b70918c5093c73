namespace MemcacheOps.Engine.Dump;

/// <summary>A data file that was completed: flushed to disk and renamed to its final name.</summary>
public sealed record DataFileInfo(
    string Name,
    string FullPath,
    long Records,
    long Bytes,
    string Sha256,
    string? Md5);
