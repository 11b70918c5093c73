using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Import;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// A queue consumer (Import-MemcacheData -SqsQueue): receives chunk announcements, downloads, verifies and imports
/// each chunk, and deletes its message only after success. Any number of consumers on any hosts may share one
/// queue; each routes every key to its owner on the ketama ring of <see cref="ImportOptions.Servers"/>.
/// </summary>
public sealed record QueueConsumerOptions
{
    /// <summary>Targets and how to write to them; <see cref="ImportOptions.FileParallelism"/> is the number of chunks worked on at once.</summary>
    public required ImportOptions Import { get; init; }

    /// <summary>Name of the queue (looked up, never created).</summary>
    public required string QueueName { get; init; }

    /// <summary>The buckets messages may name; a message naming any other is refused.</summary>
    public IReadOnlyList<string> Buckets { get; init; } = [];

    /// <summary>When set, messages may only name keys under this prefix.</summary>
    public string? KeyPrefix { get; init; }

    /// <summary>A message received more often than this without being imported is set aside as poison.</summary>
    public int MaxReceiveCount { get; init; } = 5;

    /// <summary>Stop once the queue has stayed empty (and no chunk is being worked on) this long; zero stops at the first empty receive.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a received message stays hidden from other consumers; extended every third of it while its chunk is worked on.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Credentials, region and endpoint for S3 (and for SQS unless <see cref="QueueCloud"/> is set).</summary>
    public CloudOptions Cloud { get; init; } = new();

    /// <summary>Settings for SQS when they differ from <see cref="Cloud"/> (typically only its endpoint URL); null uses <see cref="Cloud"/>.</summary>
    public CloudOptions? QueueCloud { get; init; }

    /// <summary>Folder that receives downloads (in a private subfolder removed at the end); null: the system's temporary folder.</summary>
    public string? WorkFolder { get; init; }

    public CloudOptions EffectiveQueueCloud => QueueCloud ?? Cloud;
}
