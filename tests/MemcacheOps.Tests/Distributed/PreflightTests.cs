using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Import;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Cloud;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Distributed;

/// <summary>
/// Missing or wrong credentials, a missing bucket or queue, an unreachable target: each is one clear error
/// before any work starts (no dump folder, no key read, no message taken). What the emulators enforce limits
/// what can be shown here: s3rver and the SQS emulator (as CloudEmulators starts it) refuse an unknown access
/// key, but neither checks SigV4 signatures, so a wrong secret for a known key can only be seen against AWS
/// (SqsServiceBehaviourTests and S3ErrorTests cover how such refusals are reported).
/// </summary>
[Collection(CloudEmulatorCollection.Name)]
public sealed class PreflightTests(CloudEmulators emulators) : IDisposable
{
    private readonly WarmUpKit _kit = new(emulators);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    public void Dispose()
    {
        _timeout.Dispose();
        _kit.Dispose();
    }

    private CancellationToken Token => _timeout.Token;

    public static TheoryData<string> ExportProblems() => ["missing bucket", "unknown access key", "missing queue", "unknown SQS access key", "half the keys", "unknown profile"];

    [Theory]
    [MemberData(nameof(ExportProblems))]
    public async Task AnExportFailsBeforeReadingAnyKey(string problem)
    {
        using var source = MemcachedProcess.Start();
        await Seeder.StoreAsync(source.Endpoint, [new SeedItem("k"u8.ToArray(), "v"u8.ToArray(), 0)]);
        await _kit.CreateQueueAsync(Token);
        var emptyProfiles = Path.Combine(_kit.Folder, "credentials");
        File.WriteAllText(emptyProfiles, "[someone-else]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = example-secret\n");
        var publish = _kit.Publish();
        var (changed, errorId) = problem switch
        {
            "missing bucket" => (publish with { Bucket = "memcacheops-no-such-bucket" }, "S3BucketNotFound"),
            "unknown access key" => (publish with { Cloud = _kit.S3 with { AccessKey = "AKIDUNKNOWN", SecretKey = "this-secret-is-wrong" } }, "AwsCredentialsInvalid"),
            "missing queue" => (publish with { QueueName = "memcacheops-no-such-queue" }, "SqsQueueNotFound"),
            "unknown SQS access key" => (publish with { QueueCloud = _kit.Sqs with { AccessKey = "AKIDUNKNOWN", SecretKey = "this-secret-is-wrong" } }, "AwsCredentialsInvalid"),
            "half the keys" => (publish with { Cloud = _kit.S3 with { SecretKey = null } }, "AwsCredentialsIncomplete"),
            _ => (publish with { Cloud = new CloudOptions { ProfileName = "ops", ProfileLocation = emptyProfiles, EndpointUrl = emulators.S3Endpoint } }, "AwsProfileNotFound"),
        };
        var export = _kit.Export(source, "pre", 1 << 20);

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => DistributedExport.RunAsync(export, changed, _kit.Clients, new CollectingSink(), Token));

        Assert.Equal(errorId, ex.ErrorId);
        Assert.False(Directory.Exists(export.Path), "the dump folder was created before the check");
        Assert.DoesNotContain("this-secret-is-wrong", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(CloudEmulators.S3SecretKey + "\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("get_hits 0", source.Send("stats\r\n", "END\r\n").Replace("STAT ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    public static TheoryData<string> ConsumerProblems() => ["missing queue", "missing bucket", "unknown access key", "unknown SQS access key", "no bucket named", "target down"];

    [Theory]
    [MemberData(nameof(ConsumerProblems))]
    public async Task AConsumerFailsBeforeTakingAnyMessage(string problem)
    {
        using var target = MemcachedProcess.Start();
        var queueUrl = await _kit.CreateQueueAsync(Token);
        using var queue = new SqsWorkQueue(_kit.Sqs);
        await queue.SendMessageAsync(queueUrl, new DumpChunkAnnouncement
        {
            ReqId = "r1",
            Host = "10.0.0.9",
            Location = new ObjectLocation(WarmUpKit.Bucket, $"{_kit.Prefix}/r1/a.v0"),
            KeysCount = 1,
        }.ToJson(), Token);
        var options = _kit.Consumer([target], TimeSpan.Zero, TimeSpan.FromSeconds(30));
        var (changed, errorId) = problem switch
        {
            "missing queue" => (options with { QueueName = "memcacheops-no-such-queue" }, "SqsQueueNotFound"),
            "missing bucket" => (options with { Buckets = ["memcacheops-no-such-bucket"] }, "S3BucketNotFound"),
            "unknown access key" => (options with { Cloud = _kit.S3 with { AccessKey = "AKIDUNKNOWN", SecretKey = "this-secret-is-wrong" } }, "AwsCredentialsInvalid"),
            "unknown SQS access key" => (options with { QueueCloud = _kit.Sqs with { AccessKey = "AKIDUNKNOWN", SecretKey = "this-secret-is-wrong" } }, "AwsCredentialsInvalid"),
            "no bucket named" => (options with { Buckets = [] }, "S3BucketMissing"),
            _ => (options with { Import = options.Import with { Servers = [ServerEndpoint.Parse(FreePort.Closed())] } }, "MemcacheConnectionFailed"),
        };

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => QueueConsumer.RunAsync(changed, _kit.Clients, new CollectingSink(), Token));

        Assert.Equal(errorId, ex.ErrorId);
        Assert.DoesNotContain("this-secret-is-wrong", ex.ToString(), StringComparison.Ordinal);
        // No message was taken: the first receive gets it, as received once.
        var message = Assert.Single(await queue.ReceiveMessagesAsync(queueUrl, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), Token));
        Assert.Equal(1, message.ReceiveCount);
    }

    [Fact]
    public async Task AnS3ImportFailsBeforeLoadingForAMissingPrefixOrBucket()
    {
        using var target = MemcachedProcess.Start();
        var import = new ImportOptions { Paths = [], Servers = [target.ServerEndpoint] };

        var noBucket = await Assert.ThrowsAsync<MemcacheException>(() => S3ImportService.RunAsync(
            new S3ImportOptions { Import = import, Prefixes = [new ObjectPrefix("memcacheops-no-such-bucket", "x/")], Cloud = _kit.S3 }, _kit.Clients, new CollectingSink(), Token));
        var nothing = await Assert.ThrowsAsync<MemcacheException>(() => S3ImportService.RunAsync(
            new S3ImportOptions { Import = import, Prefixes = [new ObjectPrefix(WarmUpKit.Bucket, _kit.Prefix + "/nothing-here/")], Cloud = _kit.S3 }, _kit.Clients, new CollectingSink(), Token));

        Assert.Equal("S3BucketNotFound", noBucket.ErrorId);
        Assert.Equal("S3DumpNotFound", nothing.ErrorId);
        Assert.Contains(_kit.Prefix + "/nothing-here/", nothing.Message, StringComparison.Ordinal);
    }
}
