namespace MemcacheOps.Engine.Cloud;

/// <summary>
/// A work queue (SQS or a compatible service) carrying chunk announcements between exporters and importers.
/// Every failure is a <see cref="MemcacheException"/> with a stable id (AwsCredentialsInvalid, AwsAccessDenied,
/// SqsQueueNotFound, SqsReceiptInvalid, CloudEndpointUnreachable, SqsRequestFailed) and a message without secrets.
/// </summary>
public interface IWorkQueue : IDisposable
{
    /// <summary>Looks a queue's URL up by name; creates the queue first when it is missing and <paramref name="createIfMissing"/> is set.</summary>
    Task<string> GetQueueUrlAsync(string queueName, bool createIfMissing, CancellationToken cancellationToken);

    /// <summary>Sends one message; returns its message id.</summary>
    Task<string> SendMessageAsync(string queueUrl, string body, CancellationToken cancellationToken);

    /// <summary>
    /// Receives up to <paramref name="maxMessages"/> (1-10) messages, hiding each from other receivers for
    /// <paramref name="visibilityTimeout"/>; waits up to <paramref name="waitTime"/> (0-20 s) for the first to
    /// arrive. An empty list means none arrived in time.
    /// </summary>
    Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(string queueUrl, int maxMessages, TimeSpan visibilityTimeout,
        TimeSpan waitTime, CancellationToken cancellationToken);

    /// <summary>Deletes a received message (acknowledges it) by its receipt handle.</summary>
    Task DeleteMessageAsync(string queueUrl, string receiptHandle, CancellationToken cancellationToken);

    /// <summary>Changes how long a received message stays hidden; zero makes it visible again at once.</summary>
    Task ChangeVisibilityAsync(string queueUrl, string receiptHandle, TimeSpan visibilityTimeout, CancellationToken cancellationToken);
}

/// <summary>
/// A received message. <see cref="Body"/> is untrusted input (parse it with <see cref="DumpChunkMessageParser"/>);
/// <see cref="ReceiveCount"/> counts deliveries including this one, so a consumer can give up on poison messages.
/// </summary>
public sealed record QueueMessage(string MessageId, string ReceiptHandle, string Body, int ReceiveCount);
