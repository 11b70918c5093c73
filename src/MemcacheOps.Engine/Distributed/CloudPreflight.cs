using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Checks, before any work starts, that what an operation needs is there and usable: the credentials (every
/// call is signed with them), each bucket, the queue, and the target servers. A mistake is then one clear
/// error up front instead of a failure after part of the work is done.
/// </summary>
internal static class CloudPreflight
{
    /// <summary>
    /// Lists at most one page under <paramref name="prefix"/>: fails with S3BucketNotFound, AwsCredentialsInvalid,
    /// AwsAccessDenied or CloudEndpointUnreachable. Write permission cannot be checked without writing; a missing
    /// s3:PutObject shows at the first upload.
    /// </summary>
    public static async Task CheckBucketAsync(IChunkStore store, string bucket, string prefix, IOperationSink sink, CancellationToken cancellationToken)
    {
        sink.Verbose($"Checking access to s3://{bucket}/{prefix}");
        await foreach (var _ in store.ListAsync(bucket, prefix, cancellationToken).ConfigureAwait(false))
            break;
    }

    /// <summary>Looks the queue up by name (never creating it): fails with SqsQueueNotFound or a credentials error.</summary>
    public static Task<string> CheckQueueAsync(IWorkQueue queue, string queueName, IOperationSink sink, CancellationToken cancellationToken)
    {
        sink.Verbose($"Looking up the SQS queue '{queueName}'");
        return queue.GetQueueUrlAsync(queueName, createIfMissing: false, cancellationToken);
    }

    /// <summary>Connects to each server once and asks its version, so an unreachable target is reported before any message is taken.</summary>
    public static async Task CheckServersAsync(IReadOnlyList<ServerEndpoint> servers, ConnectionOptions options, CancellationToken cancellationToken)
    {
        foreach (var server in servers)
        {
            var (connection, _) = await ServerProbe.ConnectAsync(server, options, cancellationToken).ConfigureAwait(false);
            connection.Dispose();
        }
    }
}
