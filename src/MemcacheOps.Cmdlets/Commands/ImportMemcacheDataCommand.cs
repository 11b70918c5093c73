using System.Globalization;
using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Cmdlets.Loading;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Loads dumps into memcached servers.</para>
/// <para type="description">Reads MemcacheOps dumps, cachemover dumps (auto-detected) and single data files, verifies each file's checksum first (a corrupt or truncated file is reported and not loaded while the others continue), and writes with pipelined 'ms ... q' batches that keep flags and the remaining TTL. Mode Add (the default) never overwrites fresher data that live traffic wrote. With several servers each key goes to its owner as the fleet's clients place it (-RingForm: ketama as EVCache or twemproxy by default, or an mcrouter pool's ch3, crc32 or weighted ch3 with its -HashSalt). Items larger than a target's item_size_max are skipped and reported, because writing them would delete the target's own copy.</para>
/// <para type="description">Dumps can also come from S3: -Path s3://bucket/prefix imports every data file under the prefix, and objects piped from Get-S3Object bind by their BucketName and Key. Each file is verified against the manifest.json beside it, its cacheDumpChunk metadata entry or its cachemover MD5 name. With -SqsQueue the cmdlet is a queue consumer: it imports each chunk the queue announces and deletes the message only after success, so any number of consumers on any hosts can share one queue; it stops when the queue stays empty for -IdleTimeout. Downloads go to a private folder under -WorkFolder and are deleted once loaded. Buckets, the queue, the credentials and the targets are checked before any work starts.</para>
/// </summary>
/// <example>
/// <code>Import-MemcacheData -Path /dumps/cache1 -Server newcache1:11211</code>
/// <para>Loads a dump into a new server with mode Add: keys the server already has (written by live traffic meanwhile) are kept and counted as AlreadyPresent.</para>
/// </example>
/// <example>
/// <code>Export-MemcacheData -Server old1 -Path /dumps/old1 | Import-MemcacheData -Server new1, new2, new3 -MaxOpsPerSecond 20000</code>
/// <para>Dumps a server and spreads its items over three new servers, each key to its owner on a ketama ring of them, at most 20,000 writes a second per server.</para>
/// </example>
/// <example>
/// <code>Import-MemcacheData -Path /dumps/old1 -Server mc-a:11211, mc-b:11211, mc-c:11211 -RingForm Ch3 -HashSalt pool-b</code>
/// <para>Warms an mcrouter pool whose config lists the servers mc-a, mc-b, mc-c in that order with "hash": "ch3" and "hash_salt": "pool-b": each key goes to the server mcrouter will look for it on.</para>
/// </example>
/// <example>
/// <code>Import-MemcacheData -Path /cachemover/output -Server cache2 -Mode Set -MinimumTtl 60</code>
/// <para>Loads a cachemover dump (detected automatically), overwriting existing keys and skipping items with less than a minute to live.</para>
/// </example>
/// <example>
/// <code>Get-S3Object -BucketName warmup-chunks -KeyPrefix evcache/users/nightly-42/ | Import-MemcacheData -Server new1, new2</code>
/// <para>Imports the objects AWS.Tools.S3 lists (they bind by BucketName and Key), verifying each against the manifest.json of the dump; the manifest itself is used, not loaded.</para>
/// </example>
/// <example>
/// <code>Import-MemcacheData -SqsQueue warmup -S3Bucket warmup-chunks -Server new1, new2, new3 -IdleTimeout 300 -ProfileName ops</code>
/// <para>Runs a queue consumer (start one on each of several hosts): every chunk an export announced on 'warmup' is downloaded, verified and loaded with each key sent to its owner on the ketama ring of new1-new3, and its message is deleted after success. It stops once the queue has been empty for five minutes.</para>
/// </example>
/// <parameter name="MaxOpsPerSecond">
/// <para type="description">Limit on store operations per second per target server.</para>
/// </parameter>
/// <parameter name="MaxBytesPerSecond">
/// <para type="description">Limit on the value bytes per second each target server receives, over all its connections and all files or chunks loading at once. Request lines are not counted.</para>
/// </parameter>
/// <seealso cref="ExportMemcacheDataCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsData.Import, "MemcacheData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(ImportResult), typeof(QueueConsumerResult))]
public sealed class ImportMemcacheDataCommand : MemcacheCloudCmdlet
{
    private const string PathSet = "Path";
    private const string S3ObjectSet = "S3Object";
    private const string QueueSet = "SqsQueue";
    private readonly List<string> _paths = [];
    private readonly List<ObjectLocation> _objects = [];

    /// <summary>
    /// <para type="description">Dump folders or data files, or s3://bucket/prefix for every data file under a prefix. Binds from the Path property of Export-MemcacheData results.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>
    /// <para type="description">The bucket of an object to import; binds by property name from Get-S3Object output (with -Key).</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = S3ObjectSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string BucketName { get; set; } = string.Empty;

    /// <summary>
    /// <para type="description">The key of an object to import; binds by property name from Get-S3Object output (with -BucketName). A manifest.json among them is used to verify the files beside it.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = S3ObjectSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Key { get; set; } = string.Empty;

    /// <summary>
    /// <para type="description">Consume this SQS queue (its name): import each chunk an export announced on it, deleting the message only after success. Messages that fail come back after their visibility timeout; see -MaxReceiveCount.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = QueueSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string SqsQueue { get; set; } = string.Empty;

    /// <summary>
    /// <para type="description">With -SqsQueue: the bucket(s) messages may name. A message naming any other bucket is refused, so a forged message cannot make the importer read from elsewhere.</para>
    /// </summary>
    [Parameter(ParameterSetName = QueueSet)]
    [ValidateNotNullOrEmpty]
    public string[] S3Bucket { get; set; } = [];

    /// <summary>
    /// <para type="description">With -SqsQueue: messages may only name keys under this prefix.</para>
    /// </summary>
    [Parameter(ParameterSetName = QueueSet)]
    public string? S3Prefix { get; set; }

    /// <summary>
    /// <para type="description">With -SqsQueue: a message received more than this many times without being imported is reported as poison and set aside (left in the queue, hidden for 12 hours, so it can be inspected or moved by the queue's redrive policy). Default 5.</para>
    /// </summary>
    [Parameter(ParameterSetName = QueueSet)]
    [ValidateRange(1, 1000)]
    public int MaxReceiveCount { get; set; } = 5;

    /// <summary>
    /// <para type="description">With -SqsQueue: stop once the queue has stayed empty (and no chunk is being imported) for this many seconds. Default 60; 0 stops at the first empty receive.</para>
    /// </summary>
    [Parameter(ParameterSetName = QueueSet)]
    [ValidateRange(0, 31536000)]
    public double IdleTimeout { get; set; } = 60;

    /// <summary>
    /// <para type="description">With -SqsQueue: seconds a received message stays hidden from other consumers; it is extended while its chunk is imported, so it only matters when this consumer dies. Default 120.</para>
    /// </summary>
    [Parameter(ParameterSetName = QueueSet)]
    [ValidateRange(1, 43200)]
    public double VisibilityTimeout { get; set; } = 120;

    /// <summary>
    /// <para type="description">Folder for downloads from S3 (a private subfolder is made in it and removed at the end; each chunk is deleted once loaded). Default: the temporary folder.</para>
    /// </summary>
    [Parameter]
    public string? WorkFolder { get; set; }

    /// <summary>
    /// <para type="description">Target servers, in the clients' order; with several, each key goes to its owner on the ring or pool they form (-RingForm).</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] Server { get; set; } = [];

    /// <summary>
    /// <para type="description">Add (default: only keys the target lacks), Set (overwrite) or Replace (only keys the target has).</para>
    /// </summary>
    [Parameter]
    public StoreMode Mode { get; set; } = StoreMode.Add;

    /// <summary>
    /// <para type="description">Load files without verifying their checksums first.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter SkipChecksum { get; set; }

    /// <summary>
    /// <para type="description">Skip items with less than this many seconds left to live.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MinimumTtl { get; set; }

    /// <summary>
    /// <para type="description">Store every item with this TTL in seconds instead of its remaining one (0: never expires).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long TtlOverride { get; set; }

    /// <summary>
    /// <para type="description">Load the finished files of an incomplete dump instead of refusing it.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter AllowIncomplete { get; set; }

    /// <summary>
    /// <para type="description">Connections per target server. Default 2.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Connections { get; set; } = 2;

    /// <summary>
    /// <para type="description">Items per pipelined batch. Default 100.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// <para type="description">Data files read at the same time; from S3 or with -SqsQueue, chunks downloaded and loaded at the same time, which share the -MaxOpsPerSecond and -MaxBytesPerSecond limits. Default 2.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int FileParallelism { get; set; } = 2;

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PathSet:
                foreach (var path in Path)
                    _paths.Add(ObjectPrefix.LooksLikeS3(path) ? path : GetUnresolvedProviderPathFromPSPath(path));
                break;
            case S3ObjectSet:
                _objects.Add(Validate(() => ToLocation(BucketName, Key)));
                break;
        }
    }

    protected override void EndProcessing()
    {
        var servers = Validate(() => ServerEndpoint.ParseList(Server));
        var bound = MyInvocation.BoundParameters;
        var options = new ImportOptions
        {
            Paths = _paths.Distinct(StringComparer.Ordinal).ToList(),
            Servers = servers,
            Mode = Mode,
            SkipChecksum = SkipChecksum.IsPresent,
            MinimumTtl = MinimumTtl,
            TtlOverride = bound.ContainsKey(nameof(TtlOverride)) ? TtlOverride : null,
            AllowIncomplete = AllowIncomplete.IsPresent,
            Ring = RingOptions,
            Connections = Connections,
            BatchSize = BatchSize,
            Window = Window,
            FileParallelism = FileParallelism,
            MaxOperationsPerSecond = OperationsLimit,
            MaxBytesPerSecond = BytesLimit,
            Connection = ConnectionOptions,
        };
        // Placement settings that do not fit the form fail here, before -WhatIf reports a plan and before any download.
        Validate(() => { options.Ring.Validate(); return true; });
        var remote = options.Paths.Where(ObjectPrefix.LooksLikeS3).ToList();
        if (ParameterSetName == QueueSet)
            RunQueueConsumer(options, servers);
        else if (ParameterSetName == S3ObjectSet || remote.Count > 0)
            RunS3Import(options, servers, remote);
        else if (ShouldProcess(string.Join(", ", servers), Plan(options)))
        {
            RunOperation(async (sink, token) =>
            {
                var result = await ImportService.RunAsync(options, sink, token).ConfigureAwait(false);
                await sink.EmitAsync(result, token).ConfigureAwait(false);
            });
        }
        base.EndProcessing();
    }

    private void RunS3Import(ImportOptions options, IReadOnlyList<ServerEndpoint> servers, List<string> remote)
    {
        if (remote.Count != options.Paths.Count)
        {
            Validate<bool>(() => throw new Engine.MemcacheException(Engine.MemcacheErrorKind.InvalidArgument, "MixedPaths",
                "Give either local paths or s3:// addresses in one import, not both."));
        }
        var s3 = new S3ImportOptions
        {
            Import = options,
            Prefixes = Validate(() => remote.Select(ObjectPrefix.Parse).ToList()),
            Objects = _objects.Distinct().ToList(),
            Cloud = Validate(BuildCloudOptions),
            WorkFolder = WorkFolder is null ? null : GetUnresolvedProviderPathFromPSPath(WorkFolder),
        };
        var parts = s3.Prefixes.Select(p => p.ToString()).Take(3).ToList();
        if (s3.Objects.Count > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{s3.Objects.Count:N0} S3 object(s)"));
        var what = string.Join(", ", parts);
        if (!ShouldProcess(string.Join(", ", servers), $"Import the data files of {what} with mode {options.Mode}"))
            return;
        RunOperation(async (sink, token) =>
        {
            var result = await S3ImportService.RunAsync(s3, AdapterHost.Factory.CreateCloudClientFactory(), sink, token).ConfigureAwait(false);
            await sink.EmitAsync(result, token).ConfigureAwait(false);
        });
    }

    private void RunQueueConsumer(ImportOptions options, IReadOnlyList<ServerEndpoint> servers)
    {
        var cloud = Validate(BuildCloudOptions);
        var consumer = new QueueConsumerOptions
        {
            Import = options,
            QueueName = SqsQueue,
            Buckets = S3Bucket,
            KeyPrefix = S3Prefix,
            MaxReceiveCount = MaxReceiveCount,
            IdleTimeout = TimeSpan.FromSeconds(IdleTimeout),
            VisibilityTimeout = TimeSpan.FromSeconds(VisibilityTimeout),
            Cloud = cloud,
            QueueCloud = QueueCloudOptions(cloud),
            WorkFolder = WorkFolder is null ? null : GetUnresolvedProviderPathFromPSPath(WorkFolder),
        };
        if (!ShouldProcess(string.Join(", ", servers), string.Create(CultureInfo.InvariantCulture,
                $"Import the chunks announced on the SQS queue '{SqsQueue}' with mode {options.Mode} until it stays empty for {IdleTimeout:0.#} s")))
        {
            return;
        }
        RunOperation(async (sink, token) =>
        {
            var result = await QueueConsumer.RunAsync(consumer, AdapterHost.Factory.CreateCloudClientFactory(), sink, token).ConfigureAwait(false);
            await sink.EmitAsync(result, token).ConfigureAwait(false);
        });
    }

    private static ObjectLocation ToLocation(string bucket, string key)
    {
        try
        {
            return new ObjectLocation(bucket, key);
        }
        catch (ArgumentException ex)
        {
            throw new Engine.MemcacheException(Engine.MemcacheErrorKind.InvalidArgument, "S3ObjectInvalid", ex.Message, $"s3://{bucket}/{key}");
        }
    }

    /// <summary>What would be loaded, read from the dumps' manifests without touching any server.</summary>
    private static string Plan(ImportOptions options)
    {
        long records = 0;
        long bytes = 0;
        var files = 0;
        foreach (var path in options.Paths)
        {
            try
            {
                var source = DumpSource.Open(path);
                files += source.Files.Count;
                records += source.Files.Sum(f => f.Records ?? 0);
                bytes += source.Files.Sum(f => f.SizeOnDisk);
            }
            catch (Engine.MemcacheException)
            {
                // Reported when the import runs; the plan just leaves it out.
            }
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"Import {records:N0} records ({Units.Bytes(bytes)}) from {files} data file(s) with mode {options.Mode}");
    }
}
