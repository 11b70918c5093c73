using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Export;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Cloud;

namespace MemcacheOps.Tests.Distributed;

/// <summary>
/// An export to S3 whose uploads fail part-way stops, resumable; resumed, it ships only the files its upload
/// journal lacks, so every chunk ends up in S3 and announced, none twice over.
/// </summary>
[Collection(CloudEmulatorCollection.Name)]
public sealed class ExportResumeTests(CloudEmulators emulators) : IDisposable
{
    private readonly WarmUpKit _kit = new(emulators);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        _timeout.Dispose();
        _kit.Dispose();
    }

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public async Task AnExportWhoseUploadsFailResumesWithTheFilesNotYetShipped()
    {
        using var source = MemcachedProcess.Start(memoryMb: 64);
        await DataSetLoader.LoadAsync(source, 0, 3_000, cancellationToken: Token);
        var queueUrl = await _kit.CreateQueueAsync(Token);
        var export = _kit.Export(source, "resume", 1 << 20) with { KeyFileSize = 64 * 1024 };

        var sink = new CollectingSink();
        var failure = await Assert.ThrowsAsync<MemcacheException>(() =>
            DistributedExport.RunAsync(export, _kit.Publish(), new FailingUploads(_kit.Clients, failAt: 3), sink, Token));
        var resumed = await DistributedExport.RunAsync(export with { Resume = true }, _kit.Publish(), _kit.Clients, new CollectingSink(), Token);

        Assert.Equal("CloudEndpointUnreachable", failure.ErrorId);
        var partial = Assert.Single(sink.ResultsOf<ExportResult>());
        Assert.False(partial.Complete);
        Assert.Contains(partial.Notes, n => n.Contains("-Resume", StringComparison.Ordinal));
        Assert.True(resumed.Complete);
        Assert.Equal(3_000, resumed.Dumped);
        Assert.InRange(resumed.Uploaded, 1, resumed.Files - 1); // at least the first upload was recorded before the failure

        using var queue = new SqsWorkQueue(_kit.Sqs);
        var uris = new List<string>();
        for (var poll = 0; poll < 50; poll++)
        {
            var messages = await queue.ReceiveMessagesAsync(queueUrl, 10, TimeSpan.FromSeconds(60), TimeSpan.Zero, Token);
            if (messages.Count == 0)
                break;
            uris.AddRange(messages.Select(m => DumpChunkMessageParser.Parse(m.Body, new HashSet<string> { WarmUpKit.Bucket }).Announcement!.Location.ToString()));
        }
        Assert.Equal(resumed.Files, uris.Distinct().Count());
        // A message whose send was cut by the failure may go out once more; never more than that.
        Assert.InRange(uris.Count, resumed.Files, resumed.Files + 1);
        Assert.Empty(await WarmUpKit.DifferencesAsync([source], 3_000));
    }

    /// <summary>Real clients whose object store fails the n-th upload as an unreachable endpoint would.</summary>
    private sealed class FailingUploads(ICloudClientFactory inner, int failAt) : ICloudClientFactory
    {
        public IChunkStore CreateChunkStore(CloudOptions options) => new Store(inner.CreateChunkStore(options), failAt);

        public IWorkQueue CreateWorkQueue(CloudOptions options) => inner.CreateWorkQueue(options);

        private sealed class Store(IChunkStore inner, int failAt) : IChunkStore
        {
            private int _uploads;

            public Task<ChunkUploadResult> UploadFileAsync(string localPath, ObjectLocation target, IReadOnlyDictionary<string, string> metadata,
                IProgress<long>? progress, CancellationToken cancellationToken)
                => Interlocked.Increment(ref _uploads) == failAt
                    ? throw new MemcacheException(MemcacheErrorKind.ConnectionFailed, "CloudEndpointUnreachable", $"The upload to {target} failed: simulated outage.", target.ToString())
                    : inner.UploadFileAsync(localPath, target, metadata, progress, cancellationToken);

            public Task<StoredObject> DownloadFileAsync(ObjectLocation source, string localPath, CancellationToken cancellationToken)
                => inner.DownloadFileAsync(source, localPath, cancellationToken);

            public IAsyncEnumerable<StoredObject> ListAsync(string bucket, string prefix, CancellationToken cancellationToken)
                => inner.ListAsync(bucket, prefix, cancellationToken);

            public Task<StoredObjectDetails?> GetDetailsAsync(ObjectLocation location, CancellationToken cancellationToken)
                => inner.GetDetailsAsync(location, cancellationToken);

            public void Dispose() => inner.Dispose();
        }
    }
}
