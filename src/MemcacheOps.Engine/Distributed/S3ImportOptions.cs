using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Import;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Import from S3 (Import-MemcacheData -Path s3://bucket/prefix, or objects piped with BucketName and Key): every
/// data file under the prefixes and the named objects, each verified against its dump's manifest.json, its
/// cacheDumpChunk metadata entry or its cachemover MD5 name before it is loaded.
/// </summary>
public sealed record S3ImportOptions
{
    /// <summary>Targets and how to write to them; <see cref="ImportOptions.Paths"/> is not used.</summary>
    public required ImportOptions Import { get; init; }

    /// <summary>Import every data file under these (s3://bucket/prefix).</summary>
    public IReadOnlyList<ObjectPrefix> Prefixes { get; init; } = [];

    /// <summary>Import these objects (Get-S3Object output: BucketName and Key).</summary>
    public IReadOnlyList<ObjectLocation> Objects { get; init; } = [];

    /// <summary>Credentials, region and endpoint for S3.</summary>
    public CloudOptions Cloud { get; init; } = new();

    /// <summary>Folder that receives downloads (in a private subfolder removed at the end); null: the system's temporary folder.</summary>
    public string? WorkFolder { get; init; }
}
