using System.Text;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Import;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Cloud;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Distributed;

/// <summary>
/// Import straight from S3 (a prefix, or objects listed as Get-S3Object lists them), each file verified by the
/// manifest beside it, its cacheDumpChunk metadata or its cachemover MD5 name; a resumed export that finished
/// on disk ships only what is left; and the CLI exports with a cachemover configuration that says is_s3_dump.
/// </summary>
[Collection(CloudEmulatorCollection.Name)]
public sealed class S3ImportTests(CloudEmulators emulators) : IDisposable
{
    private const long Count = 3_000;
    private readonly WarmUpKit _kit = new(emulators);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        _timeout.Dispose();
        _kit.Dispose();
    }

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public async Task APrefixAndTheObjectsUnderItImportVerifiedByTheManifest()
    {
        using var source = MemcachedProcess.Start(memoryMb: 64);
        using var fromPrefix = MemcachedProcess.Start(memoryMb: 64);
        using var fromObjects = MemcachedProcess.Start(memoryMb: 64);
        await DataSetLoader.LoadAsync(source, 0, Count, cancellationToken: Token);
        var exported = await DistributedExport.RunAsync(_kit.Export(source, "pfx", 1 << 20), _kit.Publish(withQueue: false, removeLocal: false),
            _kit.Clients, new CollectingSink(), Token);
        Assert.Equal(0, exported.Announced);
        Assert.All(exported.DataFiles, file => Assert.True(File.Exists(file)));

        var sink = new CollectingSink();
        var byPrefix = await S3ImportService.RunAsync(new S3ImportOptions
        {
            Import = new ImportOptions { Paths = [], Servers = [fromPrefix.ServerEndpoint] },
            Prefixes = [ObjectPrefix.Parse($"s3://{WarmUpKit.Bucket}/{_kit.Prefix}/")],
            Cloud = _kit.S3,
            WorkFolder = Path.Combine(_kit.Folder, "work"),
        }, _kit.Clients, sink, Token);

        Assert.Empty(sink.Errors);
        Assert.Empty(sink.Warnings);
        Assert.True(byPrefix.Success);
        Assert.Equal(exported.Files, byPrefix.Files);
        Assert.Equal(Count, byPrefix.Stored);
        Assert.Empty(await WarmUpKit.DifferencesAsync([fromPrefix], Count));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_kit.Folder, "work")));

        // What Get-S3Object -KeyPrefix lists, manifest included, bound as BucketName/Key.
        var listed = new List<ObjectLocation>();
        using (var store = new S3ChunkStore(_kit.S3))
        {
            await foreach (var item in store.ListAsync(WarmUpKit.Bucket, _kit.Prefix + "/", Token))
                listed.Add(item.Location);
        }
        var byObjects = await S3ImportService.RunAsync(new S3ImportOptions
        {
            Import = new ImportOptions { Paths = [], Servers = [fromObjects.ServerEndpoint] },
            Objects = listed,
            Cloud = _kit.S3,
        }, _kit.Clients, sink, Token);

        Assert.Empty(sink.Errors);
        Assert.Equal(exported.Files, byObjects.Files);
        Assert.Equal(Count, byObjects.Stored);
        Assert.Empty(await WarmUpKit.DifferencesAsync([fromObjects], Count));
    }

    [Fact]
    public async Task WithoutAManifestMetadataOrCachemoverNamesVerifyEachFile()
    {
        using var target = MemcachedProcess.Start();
        using var store = new S3ChunkStore(_kit.S3);
        var folder = Path.Combine(_kit.Folder, "loose");
        // A native file carrying its announcement as metadata, a cachemover file named by its MD5, a cachemover
        // name whose MD5 does not match its content, and an object that is not a data file.
        var withMetadata = Write(folder, "a_000000_000.v0", "meta:", 40);
        await store.UploadFileAsync(withMetadata.FullPath, Location("a_000000_000.v0"), new Dictionary<string, string>
        {
            [DumpChunkAnnouncement.MetadataName] = new DumpChunkAnnouncement
            {
                ReqId = "r1", Host = "10.0.0.1", Location = Location("a_000000_000.v0"), KeysCount = 40,
                Sha256 = withMetadata.Sha256, Records = 40, Bytes = withMetadata.Bytes,
            }.ToJson(),
        }, null, Token);
        var cachemover = CachemoverLayout.CreateDataFileWriter(Path.Combine(folder, "cm"), "10.0.0.2", 0, 0);
        for (var i = 0; i < 30; i++)
            cachemover.Append(Encoding.ASCII.GetBytes($"cm:{i}"), -1, 7, Encoding.ASCII.GetBytes($"cachemover value {i}"));
        var named = cachemover.Complete();
        cachemover.Dispose();
        await store.UploadFileAsync(named.FullPath, Location(named.Name), new Dictionary<string, string>(), null, Token);
        var wrongName = CachemoverLayout.DataFileName("10.0.0.3", 0, new string('A', 32));
        await store.UploadFileAsync(named.FullPath, Location(wrongName), new Dictionary<string, string>(), null, Token);
        var notes = Path.Combine(folder, "README.txt");
        File.WriteAllText(notes, "not a data file");
        await store.UploadFileAsync(notes, Location("README.txt"), new Dictionary<string, string>(), null, Token);

        var sink = new CollectingSink();
        var result = await S3ImportService.RunAsync(new S3ImportOptions
        {
            Import = new ImportOptions { Paths = [], Servers = [target.ServerEndpoint] },
            Prefixes = [new ObjectPrefix(WarmUpKit.Bucket, _kit.Prefix + "/loose/")],
            Cloud = _kit.S3,
        }, _kit.Clients, sink, Token);

        var error = Assert.Single(sink.Errors);
        Assert.Equal("DumpChecksumMismatch", error.ErrorId);
        Assert.Equal(Location(wrongName).ToString(), error.Target);
        Assert.Equal([Location(wrongName).ToString()], result.FailedFiles);
        Assert.Equal(2, result.Files);
        Assert.Equal(70, result.Stored);
        var items = await ItemReader.ReadAsync(target.Endpoint,
            Enumerable.Range(0, 40).Select(i => Encoding.ASCII.GetBytes($"meta:{i}")).Concat(Enumerable.Range(0, 30).Select(i => Encoding.ASCII.GetBytes($"cm:{i}"))));
        Assert.Equal(70, items.Count);
    }

    [Fact]
    public async Task AnIncompleteDumpIsRefusedUnlessAllowed()
    {
        using var target = MemcachedProcess.Start();
        var dump = Path.Combine(_kit.Folder, "partial");
        var file = Write(NativeLayout.DataDirectory(dump), "s_000000_000.v0", "part:", 25);
        ManifestStore.Write(dump, new DumpManifest
        {
            CreatedUtc = DateTimeOffset.UtcNow,
            Complete = false,
            Files = [new DumpManifestFile { Name = file.Name, Records = file.Records, Bytes = file.Bytes, Sha256 = file.Sha256! }],
        });
        using (var store = new S3ChunkStore(_kit.S3))
        {
            // A whole dump folder copied as is: the manifest at the top, the data files under data/.
            await store.UploadFileAsync(NativeLayout.ManifestPath(dump), Location("manifest.json", "copied"), new Dictionary<string, string>(), null, Token);
            await store.UploadFileAsync(file.FullPath, Location("data/" + file.Name, "copied"), new Dictionary<string, string>(), null, Token);
        }
        S3ImportOptions Options(bool allow) => new()
        {
            Import = new ImportOptions { Paths = [], Servers = [target.ServerEndpoint], AllowIncomplete = allow },
            Prefixes = [new ObjectPrefix(WarmUpKit.Bucket, _kit.Prefix + "/copied/")],
            Cloud = _kit.S3,
        };

        var refusedSink = new CollectingSink();
        var refused = await S3ImportService.RunAsync(Options(allow: false), _kit.Clients, refusedSink, Token);
        var allowed = await S3ImportService.RunAsync(Options(allow: true), _kit.Clients, new CollectingSink(), Token);

        Assert.Equal("DumpIncomplete", Assert.Single(refusedSink.Errors).ErrorId);
        Assert.Equal(0, refused.Stored);
        Assert.False(refused.Success);
        Assert.Equal(25, allowed.Stored);
        Assert.Contains(allowed.Notes, n => n.Contains("incomplete dump", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResumingADumpThatFinishedOnDiskShipsOnlyWhatIsLeft()
    {
        using var source = MemcachedProcess.Start();
        await DataSetLoader.LoadAsync(source, 0, 500, cancellationToken: Token);
        var export = _kit.Export(source, "again", 1 << 20);
        var first = await DistributedExport.RunAsync(export, _kit.Publish(withQueue: false, removeLocal: true), _kit.Clients, new CollectingSink(), Token);
        var second = await DistributedExport.RunAsync(export with { Resume = true, RequestId = null }, _kit.Publish(withQueue: false, removeLocal: true),
            _kit.Clients, new CollectingSink(), Token);

        Assert.True(first.Uploaded > 0);
        Assert.Equal(0, second.Uploaded);
        Assert.Equal(first.Destination, second.Destination);
        Assert.Equal("req-again", second.RequestId);
        Assert.Contains(second.Notes, n => n.Contains("already complete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheCliExportsWhereACachemoverConfigurationSays()
    {
        using var source = MemcachedProcess.Start();
        await DataSetLoader.LoadAsync(source, 0, 1_000, cancellationToken: Token);
        var queueUrl = await _kit.CreateQueueAsync(Token);
        var config = Path.Combine(_kit.Folder, "cachemover.yaml");
        var output = Path.Combine(_kit.Folder, "cm-out");
        File.WriteAllText(config, $"""
            ip: 127.0.0.1
            port: {source.Port}
            threads: 2
            output_dir: {output}
            req_id: nightly-7
            is_s3_dump: true
            s3_bucket: {WarmUpKit.Bucket}
            s3_final_path: {_kit.Prefix}/evcache
            sqs_queue: {_kit.QueueName}
            """);

        var (code, stdout, stderr) = await CliRunner.RunAsync("export", "--config", config, "--layout", "cachemover", "--data-file-size", "65536",
            "--endpoint-url", emulators.S3Endpoint, "--sqs-endpoint-url", emulators.SqsEndpoint, "--region", "us-east-1",
            "--access-key", CloudEmulators.S3AccessKey, "--secret-key", CloudEmulators.S3SecretKey);

        Assert.True(code == 0, stderr);
        Assert.Contains($"to s3://{WarmUpKit.Bucket}/{_kit.Prefix}/evcache/nightly-7/", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(CloudEmulators.S3SecretKey + " ", stdout + stderr, StringComparison.Ordinal);
        var files = Directory.GetFiles(Path.Combine(output, CachemoverLayout.CompletedFolder), "data_*");
        Assert.NotEmpty(files);
        using var queue = new SqsWorkQueue(_kit.Sqs);
        var bodies = new List<string>();
        for (var poll = 0; poll < 20 && bodies.Count < files.Length; poll++)
            bodies.AddRange((await queue.ReceiveMessagesAsync(queueUrl, 10, TimeSpan.FromSeconds(30), TimeSpan.Zero, Token)).Select(m => m.Body));
        Assert.Equal(files.Length, bodies.Count);
        foreach (var file in files)
        {
            var uri = $"s3://{WarmUpKit.Bucket}/{_kit.Prefix}/evcache/nightly-7/{Path.GetFileName(file)}";
            var body = Assert.Single(bodies, b => b.Contains(uri, StringComparison.Ordinal));
            var announcement = DumpChunkMessageParser.Parse(body, new HashSet<string> { WarmUpKit.Bucket }).Announcement!;
            Assert.Equal("nightly-7", announcement.ReqId);
            Assert.Equal(DumpChunkAnnouncement.BinaryDumpFormat, announcement.DumpFormat);
            Assert.Equal(new FileInfo(file).Length, announcement.Bytes);
        }
    }

    private ObjectLocation Location(string name, string folder = "loose") => new(WarmUpKit.Bucket, $"{_kit.Prefix}/{folder}/{name}");

    private static DataFileInfo Write(string folder, string name, string keyPrefix, int records)
    {
        Directory.CreateDirectory(folder);
        using var writer = DataFileWriter.Create(folder, name);
        for (var i = 0; i < records; i++)
            writer.Append(Encoding.ASCII.GetBytes(keyPrefix + i), -1, (uint)i, Encoding.ASCII.GetBytes($"value {i}"));
        return writer.Complete();
    }
}
