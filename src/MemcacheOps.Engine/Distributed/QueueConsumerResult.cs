namespace MemcacheOps.Engine.Distributed;

/// <summary>What a queue consumer did before it stopped (the last object Import-MemcacheData -SqsQueue emits).</summary>
public sealed class QueueConsumerResult
{
    public required string Queue { get; init; }

    /// <summary>The target servers.</summary>
    public required string Server { get; init; }

    /// <summary>Messages received (a message received twice counts twice).</summary>
    public long Received { get; init; }

    /// <summary>Chunks imported; their messages were deleted.</summary>
    public long Imported { get; init; }

    /// <summary>Chunks that could not be imported (damaged, missing); their messages stay and come back.</summary>
    public long Failed { get; init; }

    /// <summary>Messages that were not chunk announcements this consumer accepts (malformed, another bucket, an unsafe key).</summary>
    public long Refused { get; init; }

    /// <summary>Messages received more often than -MaxReceiveCount, set aside (hidden for 12 hours).</summary>
    public long Poison { get; init; }

    /// <summary>Messages that had been received before (by this or another consumer).</summary>
    public long Redelivered { get; init; }

    public long Read { get; init; }
    public long Stored { get; init; }
    public long AlreadyPresent { get; init; }
    public long Expired { get; init; }
    public long TooLarge { get; init; }

    /// <summary>Items the targets refused or that could not be addressed.</summary>
    public long FailedItems { get; init; }

    public long Bytes { get; init; }
    public TimeSpan Duration { get; init; }
    public double ItemsPerSecond { get; init; }
    public double MegabytesPerSecond { get; init; }

    /// <summary>Why the consumer stopped: Idle (the queue stayed empty), Cancelled, or Failed.</summary>
    public string StopReason { get; init; } = "Idle";

    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>True when every message received was imported.</summary>
    public bool Success => Failed == 0 && Refused == 0 && Poison == 0 && FailedItems == 0;
}
