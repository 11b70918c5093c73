using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Tests.Cloud;

[Collection(CloudEmulatorCollection.Name)]
public sealed class S3ChunkStoreTests(CloudEmulators emulators) : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(2);

    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-s3-").FullName;
    private readonly string _prefix = $"t-{Guid.NewGuid():N}/";
    private readonly CancellationTokenSource _timeout = new(TestTimeout);

    public void Dispose()
    {
        _timeout.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public async Task UploadDownloadAndDetailsKeepBytesAndMetadata()
    {
        using var store = new S3ChunkStore(emulators.S3Options);
        var source = WriteRandomFile("data_10.0.0.1__0_0", 300_000);
        var target = new ObjectLocation(CloudEmulators.Bucket, _prefix + "req-1/data_10.0.0.1__0_0");
        var announcement = new DumpChunkAnnouncement
        {
            ReqId = "req-1",
            Host = "10.0.0.1",
            Location = target,
            KeysCount = 42,
            Sha256 = Sha256Of(source),
            Records = 42,
            Bytes = 300_000,
            FormatVersion = 1,
        }.ToJson();
        var progress = new MaxProgress();

        var uploaded = await store.UploadFileAsync(source, target,
            new Dictionary<string, string> { [DumpChunkAnnouncement.MetadataName] = announcement }, progress, Token);

        Assert.Equal(target, uploaded.Location);
        Assert.Equal(300_000, uploaded.Bytes);
        Assert.Equal(1, uploaded.Parts);
        Assert.False(string.IsNullOrEmpty(uploaded.ETag));
        Assert.Equal(300_000, progress.Max);

        var details = await store.GetDetailsAsync(target, Token);
        Assert.NotNull(details);
        Assert.Equal(300_000, details.Size);
        Assert.Equal(announcement, details.Metadata["cachedumpchunk"]);
        Assert.Equal(announcement, details.Metadata[DumpChunkAnnouncement.MetadataName]); // names compare ignoring case

        var copy = Path.Combine(_folder, "download", "copy");
        var downloaded = await store.DownloadFileAsync(target, copy, Token);
        Assert.Equal(300_000, downloaded.Size);
        Assert.Equal(Sha256Of(source), Sha256Of(copy));
        Assert.Equal(["copy"], Directory.GetFiles(Path.GetDirectoryName(copy)!).Select(Path.GetFileName)); // no partial file left
    }

    [Fact]
    public async Task LargeFilesGoUpInPartsAndComeBackWhole()
    {
        var settings = new S3TransferSettings { PartSize = S3TransferSettings.MinPartSize, MultipartThreshold = S3TransferSettings.MinPartSize, ConcurrentParts = 2 };
        using var store = new S3ChunkStore(emulators.S3Options, settings);
        var size = 2 * S3TransferSettings.MinPartSize + 123_457; // three parts, the last one short
        var source = WriteRandomFile("big", size);
        var target = new ObjectLocation(CloudEmulators.Bucket, _prefix + "big");
        var progress = new MaxProgress();

        var uploaded = await store.UploadFileAsync(source, target,
            new Dictionary<string, string> { ["cacheDumpChunk"] = "{\"reqId\":\"r\"}" }, progress, Token);

        // s3rver gives multipart objects a plain MD5 ETag (S3 would end it in "-3"), so the part count is checked here.
        Assert.Equal(3, uploaded.Parts);
        Assert.Equal(size, progress.Max);
        var details = await store.GetDetailsAsync(target, Token);
        Assert.Equal(size, details!.Size);
        Assert.Equal("{\"reqId\":\"r\"}", details.Metadata["cachedumpchunk"]);
        var copy = Path.Combine(_folder, "big-copy");
        await store.DownloadFileAsync(target, copy, Token);
        Assert.Equal(Sha256Of(source), Sha256Of(copy));
    }

    [Fact]
    public async Task ACancelledMultipartUploadLeavesNoObject()
    {
        var settings = new S3TransferSettings { PartSize = S3TransferSettings.MinPartSize, MultipartThreshold = S3TransferSettings.MinPartSize, ConcurrentParts = 1 };
        using var store = new S3ChunkStore(emulators.S3Options, settings);
        var source = WriteRandomFile("cancelled", 3 * S3TransferSettings.MinPartSize);
        var target = new ObjectLocation(CloudEmulators.Bucket, _prefix + "cancelled");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        // Cancel as soon as the first bytes of the first part are on their way.

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            store.UploadFileAsync(source, target, new Dictionary<string, string>(), new CancelOnReport(cancel), cancel.Token));

        Assert.Null(await store.GetDetailsAsync(target, Token));
    }

    [Fact]
    public async Task ListReturnsTheObjectsUnderAPrefixWithSizesAcrossPages()
    {
        using var store = new S3ChunkStore(emulators.S3Options, new S3TransferSettings { ListPageSize = 2 });
        var sizes = new Dictionary<string, long> { ["a"] = 10, ["b"] = 2_000, ["c/d"] = 0, ["e"] = 77, ["f"] = 5 };
        foreach (var (name, size) in sizes)
            await store.UploadFileAsync(WriteRandomFile(name.Replace('/', '_'), size), new ObjectLocation(CloudEmulators.Bucket, _prefix + "list/" + name),
                new Dictionary<string, string>(), null, Token);
        await store.UploadFileAsync(WriteRandomFile("outside", 1), new ObjectLocation(CloudEmulators.Bucket, _prefix + "lister/x"),
            new Dictionary<string, string>(), null, Token);

        var listed = new Dictionary<string, long>();
        await foreach (var item in store.ListAsync(CloudEmulators.Bucket, _prefix + "list/", Token))
            listed.Add(item.Location.Key[(_prefix.Length + 5)..], item.Size);

        Assert.Equal(sizes.OrderBy(p => p.Key), listed.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task DetailsOfAMissingObjectAreNull()
    {
        using var store = new S3ChunkStore(emulators.S3Options);

        Assert.Null(await store.GetDetailsAsync(new ObjectLocation(CloudEmulators.Bucket, _prefix + "absent"), Token));
    }

    [Fact]
    public async Task DownloadingAMissingObjectIsReported()
    {
        using var store = new S3ChunkStore(emulators.S3Options);
        var location = new ObjectLocation(CloudEmulators.Bucket, _prefix + "absent");
        var target = Path.Combine(_folder, "never");

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => store.DownloadFileAsync(location, target, Token));

        Assert.Equal("S3ObjectNotFound", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.ResourceUnavailable, ex.Kind);
        Assert.Equal(location.ToString(), ex.Target);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task AMissingBucketIsReportedForUploadAndListing()
    {
        using var store = new S3ChunkStore(emulators.S3Options);
        var file = WriteRandomFile("x", 10);

        var upload = await Assert.ThrowsAsync<MemcacheException>(() =>
            store.UploadFileAsync(file, new ObjectLocation("no-such-bucket", "k"), new Dictionary<string, string>(), null, Token));
        var list = await Assert.ThrowsAsync<MemcacheException>(async () =>
        {
            await foreach (var _ in store.ListAsync("no-such-bucket", "", Token))
            {
            }
        });

        foreach (var ex in new[] { upload, list })
        {
            Assert.Equal("S3BucketNotFound", ex.ErrorId);
            Assert.Contains("the bucket 'no-such-bucket' does not exist", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnUnknownAccessKeyIsReportedWithoutTheSecret()
    {
        const string secret = "not-the-S3RVER-secret-key";
        using var store = new S3ChunkStore(emulators.S3Options with { AccessKey = "AKIDUNKNOWN", SecretKey = secret });

        var ex = await Assert.ThrowsAsync<MemcacheException>(() =>
            store.UploadFileAsync(WriteRandomFile("x", 10), new ObjectLocation(CloudEmulators.Bucket, _prefix + "x"), new Dictionary<string, string>(), null, Token));

        Assert.Equal("AwsCredentialsInvalid", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.AccessDenied, ex.Kind);
        Assert.Contains("InvalidAccessKeyId", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableEndpointIsReported()
    {
        using var store = new S3ChunkStore(emulators.S3Options with { EndpointUrl = $"http://127.0.0.1:{ClosedPort()}" },
            new S3TransferSettings { MaxRetries = 0 });

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => store.GetDetailsAsync(new ObjectLocation(CloudEmulators.Bucket, "k"), Token));

        Assert.Equal("CloudEndpointUnreachable", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.ConnectionFailed, ex.Kind);
        Assert.Contains("could not be reached", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadingAMissingFileIsReported()
    {
        using var store = new S3ChunkStore(emulators.S3Options);
        var path = Path.Combine(_folder, "absent");

        var ex = await Assert.ThrowsAsync<MemcacheException>(() =>
            store.UploadFileAsync(path, new ObjectLocation(CloudEmulators.Bucket, "k"), new Dictionary<string, string>(), null, Token));

        Assert.Equal("ChunkFileNotFound", ex.ErrorId);
    }

    [Fact]
    public async Task MetadataMustBePrintableAscii()
    {
        using var store = new S3ChunkStore(emulators.S3Options);

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => store.UploadFileAsync(WriteRandomFile("x", 1),
            new ObjectLocation(CloudEmulators.Bucket, _prefix + "x"), new Dictionary<string, string> { ["note"] = "caf\u00e9" }, null, Token));

        Assert.Equal("S3MetadataInvalid", ex.ErrorId);
    }

    [Fact]
    public void SettingsBelowS3LimitsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new S3ChunkStore(emulators.S3Options, new S3TransferSettings { PartSize = 1024 }));
    }

    [Fact]
    public void AnEndpointThatIsNotAUrlIsRefused()
    {
        var ex = Assert.Throws<MemcacheException>(() => new S3ChunkStore(emulators.S3Options with { EndpointUrl = "127.0.0.1:9000" }));

        Assert.Equal("CloudEndpointInvalid", ex.ErrorId);
    }

    private string WriteRandomFile(string name, long size)
    {
        var path = Path.Combine(_folder, name);
        var buffer = new byte[64 * 1024];
        using var file = File.Create(path);
        for (var left = size; left > 0; left -= buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            file.Write(buffer, 0, (int)Math.Min(buffer.Length, left));
        }
        return path;
    }

    private static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file)).ToLowerInvariant();
    }

    /// <summary>A port nothing listens on: bound, read, then released.</summary>
    internal static int ClosedPort() => MemcacheOps.Testing.LoopbackPorts.Take();

    /// <summary>Cancels on the first report, on the reporting thread (no synchronisation context involved).</summary>
    private sealed class CancelOnReport(CancellationTokenSource source) : IProgress<long>
    {
        public void Report(long value) => source.Cancel();
    }

    /// <summary>Keeps the largest value reported (reports may arrive out of order from parallel parts).</summary>
    private sealed class MaxProgress : IProgress<long>
    {
        private long _max;

        public long Max => Interlocked.Read(ref _max);

        public void Report(long value)
        {
            long current;
            while (value > (current = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, value, current) != current)
            {
            }
        }
    }
}
