using System.Globalization;
using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Cmdlets.Loading;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Dumps every item of a memcached server to a folder.</para>
/// <para type="description">Lists keys with 'lru_crawler metadump hash' (exact on a live server; memcached 1.6.43+'s leading OK line included), or takes them from -KeyFile or keys piped in for servers that do not list theirs, spools the listing to key files, and fetches values, flags and remaining TTLs with pipelined 'mg' over several connections into rotating V0 data files with checksums (hardware CRC-32C by default, SHA-256 with -Checksum Sha256) and a manifest. The dump is complete only when its manifest says so; an interrupted dump continues with -Resume without redoing finished key files. -Layout Cachemover writes Netflix cachemover's layout. Memory stays within -MemoryLimit whatever the data size.</para>
/// <para type="description">-ConfigFile reads a cachemover YAML configuration (ip, port, output_dir, threads, memlimit, bulk_get_threshold, all_ips, dest_ips...), so a cachemover user's file works unchanged; every parameter given on the command line overrides the file.</para>
/// <para type="description">With -S3Bucket, each data file is uploaded as soon as it is complete, while the dump goes on, to S3Prefix/RequestId/name with a cacheDumpChunk metadata entry (as cachemover does); with -SqsQueue, one message per file then announces it to importers (Import-MemcacheData -SqsQueue). The manifest is uploaded last. -RemoveLocal deletes each file once shipped. The bucket, the queue and the credentials are checked before any key is read. AWS credentials and region come from -ProfileName, -AccessKey/-SecretKey, $StoredAWSCredentials/$StoredAWSRegion or the environment, as in AWS.Tools.</para>
/// </summary>
/// <example>
/// <code>Export-MemcacheData -Server cache1:11211 -Path /dumps/cache1 -Connections 4 -MaxOpsPerSecond 50000</code>
/// <para>Dumps every item of cache1 to /dumps/cache1 over four connections, never asking the server for more than 50,000 items a second. The result reports listed, dumped, missing and filtered counts, bytes, rates and peak memory.</para>
/// </example>
/// <example>
/// <code>Export-MemcacheData -Server cache1 -Path /dumps/cache1 -Resume</code>
/// <para>Finishes a dump that was interrupted (Ctrl+C, a crash, a full disk) without redoing the key files already fetched and without writing any record twice.</para>
/// </example>
/// <example>
/// <code>Get-MemcacheKeys -Server cache1 -Pattern 'user:42:*' | Export-MemcacheData -Path /dumps/user42</code>
/// <para>Dumps only the keys piped in from Get-MemcacheKeys.</para>
/// </example>
/// <example>
/// <code>Get-Content ./session-keys.txt | Export-MemcacheData -Server tls://sessions.abc123.cache.amazonaws.com:11211 -Path /dumps/sessions</code>
/// <para>Dumps a server that does not list its keys (here ElastiCache Serverless, over TLS) from the keys piped in as plain strings; -KeyFile ./session-keys.txt does the same. Keys the server lacks are counted as Missing.</para>
/// </example>
/// <example>
/// <code>Export-MemcacheData -Server cache1 -Path /dumps/cm -Layout Cachemover -RequestId nightly-42</code>
/// <para>Writes Netflix cachemover's layout (keyfile/, datafiles_completed/ with MD5 names, DONE) for consumers that expect it.</para>
/// </example>
/// <example>
/// <code>Export-MemcacheData -ConfigFile ./cachemover.yaml -Connections 8</code>
/// <para>Dumps the server and folder a cachemover configuration names (ip, port, output_dir), with its other settings, but over eight connections whatever the file's threads say.</para>
/// </example>
/// <example>
/// <code>Export-MemcacheData -Server cache1 -Path /var/tmp/warm -S3Bucket warmup-chunks -S3Prefix evcache/users -SqsQueue warmup -RequestId nightly-42 -RemoveLocal -ProfileName ops</code>
/// <para>Dumps cache1 and ships each data file to s3://warmup-chunks/evcache/users/nightly-42/ as soon as it is written, announces each on the SQS queue 'warmup' for importers on other hosts, and deletes the local copies as they go.</para>
/// </example>
/// <parameter name="PointsPerServer">
/// <para type="description">Ketama points per server (cachemover: ketama_bucket_size). Default 160.</para>
/// </parameter>
/// <parameter name="MaxOpsPerSecond">
/// <para type="description">Limit on fetch operations per second on each source server.</para>
/// </parameter>
/// <parameter name="MaxBytesPerSecond">
/// <para type="description">Limit on the value bytes per second each source server sends (the values fetched), over all fetch connections. Request lines and reply headers are not counted.</para>
/// </parameter>
/// <seealso cref="ImportMemcacheDataCommand"/>
/// <seealso cref="GetMemcacheKeysCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsData.Export, "MemcacheData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ServerSet)]
[OutputType(typeof(ExportResult))]
public sealed class ExportMemcacheDataCommand : MemcacheCloudCmdlet
{
    private const string ServerSet = "Server";
    private const string KeysSet = "Keys";
    private const string KeyTextSet = "KeyText";
    private const string ConfigSet = "ConfigFile";
    private readonly List<string> _keyServers = [];
    private readonly List<string> _servers = [];
    private GivenKeys? _given;
    private readonly Dictionary<string, GivenKeys> _givenByServer = new(StringComparer.Ordinal);
    private readonly List<string> _configFiles = [];

    /// <summary>
    /// <para type="description">The server to dump, as host, host:port or [IPv6]:port. Several servers go into one dump. Accepts objects with a Server property from the pipeline. With -ConfigFile it is optional and overrides the file's ip and port.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ServerSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = KeyTextSet)]
    [Parameter(Position = 0, ParameterSetName = ConfigSet)]
    [ValidateNotNullOrEmpty]
    public string[] Server { get; set; } = [];

    /// <summary>
    /// <para type="description">Keys to dump, piped from Get-MemcacheKeys; only these items are fetched, from the server each came from.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = KeysSet, ValueFromPipeline = true)]
    public MemcacheKeyInfo[] InputObject { get; set; } = [];

    /// <summary>
    /// <para type="description">The dump folder. It is created readable by its owner only. With -ConfigFile it is optional and overrides the file's output_dir.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ServerSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = KeysSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = KeyTextSet)]
    [Parameter(Position = 1, ParameterSetName = ConfigSet)]
    [Alias("OutputDir")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// <para type="description">A cachemover YAML configuration file to take the export's settings from (ip, port, output_dir, threads, memlimit, key_file_size, data_file_size, bulk_get_threshold, only_expire_after_s, req_id, checkpoint_resume, all_ips, dest_ips, ketama_bucket_size). Parameters given on the command line override it. A file with is_s3_dump: true ships the data files to its s3_bucket, s3_final_path and sqs_queue, as with -S3Bucket, -S3Prefix and -SqsQueue (which override them). Accepts objects with a ConfigFile property from the pipeline.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ConfigSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Config")]
    [ValidateNotNullOrEmpty]
    public string ConfigFile { get; set; } = string.Empty;

    /// <summary>
    /// <para type="description">Fetch connections (cachemover: threads). Default 4.</para>
    /// </summary>
    [Parameter]
    [Alias("Threads")]
    [ValidateRange(1, 256)]
    public int Connections { get; set; } = 4;

    /// <summary>
    /// <para type="description">Keys per pipelined mg batch (cachemover: bulk_get_threshold). Default 100.</para>
    /// </summary>
    [Parameter]
    [Alias("BulkGetThreshold")]
    [ValidateRange(1, 10000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// <para type="description">Bytes of buffers the export may use (cachemover: memlimit). Default 256 MiB; settings that need more are refused before work starts.</para>
    /// </summary>
    [Parameter]
    [Alias("MemLimit")]
    public long MemoryLimit { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// <para type="description">Largest size in bytes of a key file, the unit of fetching and of resume. Default 4 MiB. The first key files are smaller (256 KiB, each next one twice as large) so fetching starts while the listing runs.</para>
    /// </summary>
    [Parameter]
    public long KeyFileSize { get; set; } = 4L * 1024 * 1024;

    /// <summary>
    /// <para type="description">Soft size in bytes of each data file. Default 256 MiB.</para>
    /// </summary>
    [Parameter]
    public long DataFileSize { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// <para type="description">Only dump items that never expire or live longer than this many seconds (cachemover: only_expire_after_s).</para>
    /// </summary>
    [Parameter]
    [Alias("OnlyExpireAfterS")]
    [ValidateRange(0, long.MaxValue)]
    public long OnlyExpireAfter { get; set; }

    /// <summary>
    /// <para type="description">An identifier of this dump (cachemover: req_id), recorded in the manifest.</para>
    /// </summary>
    [Parameter]
    [Alias("ReqId")]
    public string? RequestId { get; set; }

    /// <summary>
    /// <para type="description">Finish an interrupted dump in -Path without redoing finished key files. -Resume:$false overrides a -ConfigFile that says checkpoint_resume: true.</para>
    /// </summary>
    [Parameter]
    [Alias("CheckpointResume")]
    public SwitchParameter Resume { get; set; }

    /// <summary>
    /// <para type="description">Replace a dump already in -Path.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// <para type="description">Only keys matching this wildcard pattern (or regular expression with -Regex).</para>
    /// </summary>
    [Parameter]
    [Alias("Pattern")]
    public string? Include { get; set; }

    /// <summary>
    /// <para type="description">Leave out keys matching this pattern.</para>
    /// </summary>
    [Parameter]
    public string? Exclude { get; set; }

    /// <summary>
    /// <para type="description">Treat -Include and -Exclude as regular expressions.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Regex { get; set; }

    /// <summary>
    /// <para type="description">The servers of the ring or pool used to filter keys (cachemover: all_ips), in the clients' order: mcrouter pools (-RingForm Ch3, Crc32, WeightedCh3) index into it.</para>
    /// </summary>
    [Parameter]
    [Alias("AllIps")]
    public string[]? RingServer { get; set; }

    /// <summary>
    /// <para type="description">Keep only keys the ring assigns to these servers (cachemover: dest_ips).</para>
    /// </summary>
    [Parameter]
    [Alias("DestIps")]
    public string[]? DestinationServer { get; set; }

    /// <summary>
    /// <para type="description">Dump only these keys (text keys) instead of listing the server. Plain strings piped in bind here (Get-Content keys.txt | Export-MemcacheData -Server s -Path d), for servers that do not list their keys; each key is looked up with mg and those the server lacks are counted as missing.</para>
    /// </summary>
    [Parameter(ParameterSetName = ServerSet)]
    [Parameter(ParameterSetName = ConfigSet)]
    [Parameter(Mandatory = true, ParameterSetName = KeyTextSet, ValueFromPipeline = true)]
    public string[]? Key { get; set; }

    /// <summary>
    /// <para type="description">Dump only the keys in this file instead of listing the server: one key per line, 'b64:' and base64 for binary keys. For servers that do not list their keys (memcached -X, ElastiCache 1.6.17+, ElastiCache Serverless). Keys the server lacks are counted as missing; a malformed or over-long key fails before anything is read, naming its line.</para>
    /// </summary>
    [Parameter(ParameterSetName = ServerSet)]
    [Parameter(ParameterSetName = ConfigSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    /// <summary>
    /// <para type="description">Native (default: manifest.json, keys/, data/) or Cachemover (keyfile/, datafiles_completed/ with MD5 names, DONE).</para>
    /// </summary>
    [Parameter]
    public DumpLayout Layout { get; set; } = DumpLayout.Native;

    /// <summary>
    /// <para type="description">Checksum of each data file: Crc32C (default; hardware-accelerated, detects corruption and truncation) or Sha256 (slower, also resists deliberate tampering). The manifest names the algorithm; imports verify either.</para>
    /// </summary>
    [Parameter]
    [ValidateSet("Crc32C", "Sha256", IgnoreCase = true)]
    public MemcacheOps.Engine.Dump.ChecksumAlgorithm Checksum { get; set; } = MemcacheOps.Engine.Dump.ChecksumAlgorithm.Crc32C;

    /// <summary>
    /// <para type="description">Listing method: Auto (default), MetadumpHash, MetadumpAll or CacheDump.</para>
    /// </summary>
    [Parameter]
    public ListingMethod Method { get; set; } = ListingMethod.Auto;

    /// <summary>
    /// <para type="description">Upload each data file to this S3 bucket as soon as it is complete (cachemover: s3_bucket). Objects are named S3Prefix/RequestId/file name; a -RequestId is made up (time and random suffix) when none is given.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? S3Bucket { get; set; }

    /// <summary>
    /// <para type="description">Key prefix of the uploaded files under -S3Bucket (cachemover: s3_final_path). Default: none.</para>
    /// </summary>
    [Parameter]
    [Alias("S3FinalPath")]
    public string? S3Prefix { get; set; }

    /// <summary>
    /// <para type="description">After each upload, send one message announcing the file to this SQS queue (cachemover: sqs_queue), for importers running Import-MemcacheData -SqsQueue. The queue must exist.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SqsQueue { get; set; }

    /// <summary>
    /// <para type="description">Delete each local data file once it is uploaded and announced, so the dump's disk use stays bounded (the manifest and key files stay, so -Resume still works).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter RemoveLocal { get; set; }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case KeysSet:
                foreach (var key in InputObject)
                {
                    // Each key is asked only of the server it was listed on (Get-MemcacheKeys a, b | Export-MemcacheData).
                    var server = Validate(() => ServerEndpoint.Parse(key.Server).ToString());
                    if (!_givenByServer.TryGetValue(server, out var given))
                    {
                        _keyServers.Add(server);
                        _givenByServer.Add(server, given = Own(new GivenKeys()));
                    }
                    Validate(() =>
                    {
                        given.Add(key.KeyBytes);
                        return 0;
                    });
                }
                break;
            case KeyTextSet:
                _given ??= Own(new GivenKeys());
                Validate(() =>
                {
                    _given.Add(Key ?? []);
                    return 0;
                });
                break;
            case ConfigSet:
                _configFiles.Add(GetUnresolvedProviderPathFromPSPath(ConfigFile));
                break;
            default:
                _servers.AddRange(Server);
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName is ServerSet or ConfigSet && Key is { Length: > 0 })
        {
            _given ??= Own(new GivenKeys());
            Validate(() =>
            {
                _given.Add(Key);
                return 0;
            });
        }
        if (ParameterSetName == ConfigSet)
        {
            // Each file describes one dump (its own server and folder): one export per file.
            var reader = Validate(() => AdapterHost.Factory.CreateConfigReader());
            foreach (var file in _configFiles.Distinct(StringComparer.Ordinal))
                Export(Validate(() => reader.Read(file)));
        }
        else
        {
            Export(null);
        }
        base.EndProcessing();
    }

    private void Export(CachemoverConfig? config)
    {
        var values = Validate(Values);
        var settings = Validate(() => ExportSettingsMerge.Merge(config, ExportParameterMerge.ToOverrides(MyInvocation.BoundParameters, values)));
        var options = settings.Export with
        {
            Path = GetUnresolvedProviderPathFromPSPath(settings.Export.Path),
        };
        var publish = settings.Publish is { } shipped ? Validate(() => WithCredentials(shipped)) : null;
        var target = string.Join(", ", options.Servers) + " -> " + options.Path + (publish is null ? string.Empty : $" -> s3://{publish.Bucket}/{publish.Prefix}");
        if (!ShouldProcess(target, Plan(options)))
            return;
        RunOperation(async (sink, token) =>
        {
            var result = publish is null
                ? await ExportService.RunAsync(options, sink, token).ConfigureAwait(false)
                : await DistributedExport.RunAsync(options, publish, AdapterHost.Factory.CreateCloudClientFactory(), sink, token).ConfigureAwait(false);
            await sink.EmitAsync(result, token).ConfigureAwait(false);
        });
    }

    /// <summary>The AWS credentials, region and endpoints for shipping the data files (-ProfileName, $StoredAWSCredentials...).</summary>
    private ChunkPublishOptions WithCredentials(ChunkPublishOptions publish)
    {
        var cloud = BuildCloudOptions();
        return publish with { Cloud = cloud, QueueCloud = QueueCloudOptions(cloud) };
    }

    /// <summary>The parameters in engine types; servers, path and keys only where this parameter set gives them.</summary>
    private ExportParameterValues Values()
    {
        var bound = MyInvocation.BoundParameters;
        IReadOnlyList<ServerEndpoint>? servers = ParameterSetName switch
        {
            KeysSet => _keyServers.Distinct(StringComparer.OrdinalIgnoreCase).Select(ServerEndpoint.Parse).ToList(),
            KeyTextSet => ServerEndpoint.ParseList(Server),
            ConfigSet => bound.ContainsKey(nameof(Server)) ? ServerEndpoint.ParseList(Server) : null,
            _ => ServerEndpoint.ParseList(_servers),
        };
        var keys = ParameterSetName == KeysSet
            ? KeySource.PerServer(_givenByServer.ToDictionary(g => g.Key, g => g.Value.Build(null)!, StringComparer.Ordinal))
            : (_given ??= Own(new GivenKeys())).Build(KeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFile));
        return new ExportParameterValues
        {
            Servers = servers,
            Path = bound.ContainsKey(nameof(Path)) ? Path : null,
            Keys = keys,
            Connections = Connections,
            BatchSize = BatchSize,
            Window = Window,
            MemoryLimit = MemoryLimit,
            KeyFileSize = KeyFileSize,
            DataFileSize = DataFileSize,
            OnlyExpireAfter = OnlyExpireAfter,
            RequestId = RequestId,
            Resume = Resume.IsPresent,
            Force = Force.IsPresent,
            Include = Include,
            Exclude = Exclude,
            Regex = Regex.IsPresent,
            RingServer = RingServer is { Length: > 0 } ? ServerEndpoint.ParseList(RingServer) : null,
            DestinationServer = DestinationServer is { Length: > 0 } ? ServerEndpoint.ParseList(DestinationServer) : null,
            PointsPerServer = PointsPerServer,
            RingForm = RingForm,
            HashSalt = HashSalt,
            HashWeight = HashWeight,
            Layout = Layout,
            Checksum = Checksum,
            MaxOpsPerSecond = MaxOpsPerSecond,
            MaxBytesPerSecond = MaxBytesPerSecond,
            Method = Method,
            Connection = ConnectionOptions,
            S3Bucket = S3Bucket,
            S3Prefix = S3Prefix,
            SqsQueue = SqsQueue,
            RemoveLocal = RemoveLocal.IsPresent,
        };
    }

    private static string Plan(ExportOptions options)
    {
        var what = options.Keys is { IsListing: false } keys ? "the keys of " + keys.Description : "every item";
        return $"Export {what} ({options.Layout} layout{(options.Resume ? ", resuming" : string.Empty)})";
    }
}
