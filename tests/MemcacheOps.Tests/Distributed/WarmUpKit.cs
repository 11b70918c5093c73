using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Cloud;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Distributed;

/// <summary>
/// What the distributed warm-up tests share: cloud clients for the emulators (with a small multipart threshold,
/// so chunks of a few MiB go up in parts), a fresh queue and prefix per test, options pointing S3 at s3rver and
/// SQS at fauxqs, and the check that every reference key sits on its ketama owner, and only there, with its
/// exact value and flags.
/// </summary>
internal sealed class WarmUpKit(CloudEmulators emulators) : IDisposable
{
    public const string Bucket = CloudEmulators.Bucket;

    public ICloudClientFactory Clients { get; } = new AwsCloudClientFactory(new S3TransferSettings
    {
        MultipartThreshold = S3TransferSettings.MinPartSize,
        PartSize = S3TransferSettings.MinPartSize,
    });

    public string Prefix { get; } = $"warm-{Guid.NewGuid():N}";

    public string QueueName { get; } = $"warm-{Guid.NewGuid():N}";

    public string Folder { get; } = Directory.CreateTempSubdirectory("memcacheops-warm-").FullName;

    public CloudOptions S3 => emulators.S3Options;

    public CloudOptions Sqs => emulators.SqsOptions;

    public CloudEmulators Emulators => emulators;

    public void Dispose()
    {
        if (Directory.Exists(Folder))
            Directory.Delete(Folder, recursive: true);
    }

    public async Task<string> CreateQueueAsync(CancellationToken cancellationToken)
    {
        using var queue = new SqsWorkQueue(Sqs);
        return await queue.GetQueueUrlAsync(QueueName, createIfMissing: true, cancellationToken);
    }

    public ChunkPublishOptions Publish(bool withQueue = true, bool removeLocal = true) => new()
    {
        Bucket = Bucket,
        Prefix = Prefix,
        QueueName = withQueue ? QueueName : null,
        RemoveLocal = removeLocal,
        Cloud = S3,
        QueueCloud = Sqs,
    };

    public QueueConsumerOptions Consumer(IReadOnlyList<MemcachedProcess> targets, TimeSpan idle, TimeSpan visibility, int maxReceiveCount = 5) => new()
    {
        Import = new ImportOptions { Paths = [], Servers = targets.Select(t => t.ServerEndpoint).ToList() },
        QueueName = QueueName,
        Buckets = [Bucket],
        MaxReceiveCount = maxReceiveCount,
        IdleTimeout = idle,
        VisibilityTimeout = visibility,
        Cloud = S3,
        QueueCloud = Sqs,
        WorkFolder = Path.Combine(Folder, "work"),
    };

    public ExportOptions Export(MemcachedProcess source, string name, long dataFileSize) => new()
    {
        Servers = [source.ServerEndpoint],
        Path = Path.Combine(Folder, name),
        RequestId = "req-" + name,
        Connections = 2,
        KeyFileSize = 256 * 1024,   // several key files, so both fetch workers hand files to the uploads
        DataFileSize = dataFileSize,
    };

    /// <summary>
    /// Reads every reference key from every node and lists what is wrong: a key missing from its owner (on the
    /// ketama ring of the nodes, the default placement of imports, unless <paramref name="ownerOf"/> says
    /// otherwise), present on another node, or with another value, flags or lifetime than the reference data
    /// set gives it.
    /// </summary>
    public static async Task<List<string>> DifferencesAsync(IReadOnlyList<MemcachedProcess> nodes, long count, Func<byte[], int>? ownerOf = null)
    {
        var ring = new KetamaRing(nodes.Select(n => new KetamaNode(n.ServerEndpoint)));
        ownerOf ??= key => ring.GetOwnerIndex(key);
        var keys = Enumerable.Range(0, checked((int)count)).Select(n => ReferenceDataSet.Key(n)).ToList();
        var held = new List<Dictionary<string, ItemSnapshot>>();
        foreach (var node in nodes)
            held.Add(await ItemReader.ReadAsync(node.Endpoint, keys));

        var differences = new List<string>();
        for (var n = 0; n < count && differences.Count < 20; n++)
        {
            var key = keys[n];
            var id = ItemReader.Id(key);
            var owner = ownerOf(key);
            for (var i = 0; i < nodes.Count; i++)
            {
                var has = held[i].TryGetValue(id, out var item);
                if (i != owner)
                {
                    if (has)
                        differences.Add($"key:{n} is on {nodes[i].Endpoint}, which does not own it");
                    continue;
                }
                if (!has)
                {
                    differences.Add($"key:{n} is missing from its owner {nodes[i].Endpoint}");
                    continue;
                }
                var expected = ReferenceDataSet.Item(n);
                if (!item!.Value.AsSpan().SequenceEqual(expected.Value))
                    differences.Add($"key:{n} has another value ({item.Value.Length} bytes, expected {expected.Value.Length})");
                if (item.Flags != expected.Flags)
                    differences.Add($"key:{n} has flags {item.Flags}, expected {expected.Flags}");
                var ttlOk = expected.ExpirySeconds == 0 ? item.Ttl == -1 : item.Ttl is > 0 and <= ReferenceDataSet.OddItemTtlSeconds;
                if (!ttlOk)
                    differences.Add($"key:{n} has TTL {item.Ttl}, expected {(expected.ExpirySeconds == 0 ? "none" : "at most " + ReferenceDataSet.OddItemTtlSeconds)}");
            }
        }
        return differences;
    }
}
