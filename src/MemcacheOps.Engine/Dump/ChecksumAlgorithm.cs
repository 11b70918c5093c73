namespace MemcacheOps.Engine.Dump;

/// <summary>How a dump file's integrity can be checked.</summary>
public enum ChecksumAlgorithm
{
    /// <summary>No checksum is known (a lone data file): only the record structure can be checked.</summary>
    None,

    /// <summary>SHA-256 of the whole file, 64 lowercase hex digits (MemcacheOps manifests).</summary>
    Sha256,

    /// <summary>MD5 of the whole file, 32 UPPERCASE hex digits (cachemover file names).</summary>
    Md5,

    /// <summary>CRC-32C (Castagnoli), hardware-accelerated; the default for new MemcacheOps dumps.</summary>
    Crc32C,
}
