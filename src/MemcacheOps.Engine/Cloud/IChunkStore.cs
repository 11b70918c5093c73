namespace MemcacheOps.Engine.Cloud;

/// <summary>
/// Object storage for dump chunks (S3 or a compatible service). The engine states what it needs; an adapter
/// implements it. Every failure is a <see cref="MemcacheException"/> with a stable id (AwsCredentialsInvalid,
/// AwsAccessDenied, S3BucketNotFound, S3ObjectNotFound, CloudEndpointUnreachable, S3RequestFailed) and a
/// message without secrets.
/// </summary>
public interface IChunkStore : IDisposable
{
    /// <summary>
    /// Uploads a local file, streaming it from disk; files larger than the multipart threshold go up in
    /// parts (in parallel, each retried on its own). <paramref name="metadata"/> entries become object
    /// metadata (names are ASCII; S3 stores them lower-cased). <paramref name="progress"/> receives the bytes
    /// sent so far.
    /// </summary>
    Task<ChunkUploadResult> UploadFileAsync(string localPath, ObjectLocation target,
        IReadOnlyDictionary<string, string> metadata, IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// Downloads an object to <paramref name="localPath"/>, streaming it to a temporary file beside the target
    /// that is renamed into place when complete, so a reader never sees a partial chunk. Overwrites an existing file.
    /// </summary>
    Task<StoredObject> DownloadFileAsync(ObjectLocation source, string localPath, CancellationToken cancellationToken);

    /// <summary>Lists the objects whose keys begin with <paramref name="prefix"/>, page by page as they arrive.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(string bucket, string prefix, CancellationToken cancellationToken);

    /// <summary>Reads an object's size and metadata without its content; null when the object does not exist.</summary>
    Task<StoredObjectDetails?> GetDetailsAsync(ObjectLocation location, CancellationToken cancellationToken);
}

/// <summary>One stored object as a listing shows it.</summary>
public sealed record StoredObject(ObjectLocation Location, long Size, DateTimeOffset? LastModified, string? ETag);

/// <summary>One stored object with its metadata (names lower-cased, without the x-amz-meta- prefix).</summary>
public sealed record StoredObjectDetails(ObjectLocation Location, long Size, DateTimeOffset? LastModified, string? ETag,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>What an upload stored; <see cref="Parts"/> is 1 for a single request, the part count for a multipart upload.</summary>
public sealed record ChunkUploadResult(ObjectLocation Location, long Bytes, string? ETag, int Parts);
