using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Where an export ships its data files (Export-MemcacheData -S3Bucket, cachemover's is_s3_dump): each finished
/// data file goes to <c>s3://Bucket/Prefix/req_id/name</c> with a <c>cacheDumpChunk</c> metadata entry, then one
/// message per file goes to <see cref="QueueName"/>; the manifest goes up last.
/// </summary>
public sealed record ChunkPublishOptions
{
    /// <summary>The bucket the data files go to (cachemover: s3_bucket).</summary>
    public required string Bucket { get; init; }

    /// <summary>Key prefix under the bucket (cachemover: s3_final_path); objects are <c>Prefix/req_id/name</c>.</summary>
    public string Prefix { get; init; } = string.Empty;

    /// <summary>Name of the queue that gets one message per uploaded file (cachemover: sqs_queue); null sends none.</summary>
    public string? QueueName { get; init; }

    /// <summary>Delete each local data file once it is uploaded and announced, so the dump's disk use stays bounded.</summary>
    public bool RemoveLocal { get; init; }

    /// <summary>Credentials, region and endpoint for S3 (and for SQS unless <see cref="QueueCloud"/> is set).</summary>
    public CloudOptions Cloud { get; init; } = new();

    /// <summary>Settings for SQS when they differ from <see cref="Cloud"/> (typically only its endpoint URL); null uses <see cref="Cloud"/>.</summary>
    public CloudOptions? QueueCloud { get; init; }

    /// <summary>Data files uploaded at the same time.</summary>
    public int Uploads { get; init; } = 2;

    /// <summary>
    /// Finished data files that may wait for an upload; when that many wait, fetch workers pause. With
    /// <see cref="RemoveLocal"/> the disk holds at most about (connections + this + uploads) data files.
    /// </summary>
    public int PendingFiles { get; init; } = 4;

    public CloudOptions EffectiveQueueCloud => QueueCloud ?? Cloud;
}
