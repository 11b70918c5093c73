using System.Globalization;
using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Loads dumps into memcached servers.</para>
/// <para type="description">Reads MemcacheOps dumps, cachemover dumps (auto-detected) and single data files, verifies each file's checksum first (a corrupt or truncated file is reported and not loaded while the others continue), and writes with pipelined 'ms ... q' batches that keep flags and the remaining TTL. Mode Add (the default) never overwrites fresher data that live traffic wrote. With several servers each key goes to its owner on a ketama ring. Items larger than a target's item_size_max are skipped and reported, because writing them would delete the target's own copy.</para>
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
/// <code>Import-MemcacheData -Path /cachemover/output -Server cache2 -Mode Set -MinimumTtl 60</code>
/// <para>Loads a cachemover dump (detected automatically), overwriting existing keys and skipping items with less than a minute to live.</para>
/// </example>
/// <seealso cref="ExportMemcacheDataCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsData.Import, "MemcacheData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ImportResult))]
public sealed class ImportMemcacheDataCommand : MemcacheCmdlet
{
    private readonly List<string> _paths = [];

    /// <summary>
    /// <para type="description">Dump folders or data files. Binds from the Path property of Export-MemcacheData results.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>
    /// <para type="description">Target servers; with several, each key goes to its owner on a ketama ring of them.</para>
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
    /// <para type="description">Ketama form for several targets: Spymemcached (default, as EVCache) or Libmemcached (as twemproxy).</para>
    /// </summary>
    [Parameter]
    public KetamaForm RingForm { get; set; } = KetamaForm.Spymemcached;

    /// <summary>
    /// <para type="description">Ketama points per server. Default 160.</para>
    /// </summary>
    [Parameter]
    [Alias("KetamaBucketSize")]
    [ValidateRange(1, 65536)]
    public int PointsPerServer { get; set; } = KetamaRing.DefaultPointsPerServer;

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
    /// <para type="description">Batches in flight per connection. Default 4.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Window { get; set; } = 4;

    /// <summary>
    /// <para type="description">Data files read at the same time. Default 2.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int FileParallelism { get; set; } = 2;

    /// <summary>
    /// <para type="description">Limit on store operations per second per target server.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, double.MaxValue)]
    public double MaxOpsPerSecond { get; set; }

    /// <summary>
    /// <para type="description">Limit on bytes per second sent to each target server.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, double.MaxValue)]
    public double MaxBytesPerSecond { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var path in Path)
            _paths.Add(GetUnresolvedProviderPathFromPSPath(path));
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
            RingForm = RingForm,
            PointsPerServer = PointsPerServer,
            Connections = Connections,
            BatchSize = BatchSize,
            Window = Window,
            FileParallelism = FileParallelism,
            MaxOperationsPerSecond = bound.ContainsKey(nameof(MaxOpsPerSecond)) ? MaxOpsPerSecond : null,
            MaxBytesPerSecond = bound.ContainsKey(nameof(MaxBytesPerSecond)) ? MaxBytesPerSecond : null,
            Connection = ConnectionOptions,
        };
        if (ShouldProcess(string.Join(", ", servers), Plan(options)))
        {
            RunOperation(async (sink, token) =>
            {
                var result = await ImportService.RunAsync(options, sink, token).ConfigureAwait(false);
                await sink.EmitAsync(result, token).ConfigureAwait(false);
            });
        }
        base.EndProcessing();
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
