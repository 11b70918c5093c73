using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Adapters.Cloud;

/// <summary>Creates S3 and SQS clients for the engine; the front ends find this type in the adapters assembly.</summary>
public sealed class AwsCloudClientFactory(S3TransferSettings? transferSettings = null) : ICloudClientFactory
{
    public AwsCloudClientFactory()
        : this(null)
    {
    }

    public IChunkStore CreateChunkStore(CloudOptions options) => new S3ChunkStore(options, transferSettings);

    public IWorkQueue CreateWorkQueue(CloudOptions options) => new SqsWorkQueue(options);
}
