using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Compare;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Compares memcached servers, rings and dumps, and emits only the differences.</para>
/// <para type="description">Checks a migration: each side is a server, a list of servers (a ring: keys are looked up on their ketama owner, as clients would) or a dump (a MemcacheOps dump, a cachemover dump or one data file). A single value that names an existing file or folder is a dump; anything else is a server list; -ReferencePath and -DifferencePath always mean a dump. Pass 1 reads every item of the reference and looks it up on the difference side (Missing, ValueMismatch, FlagsMismatch, TtlMismatch beyond -TtlTolerance seconds); pass 2 lists the difference side and looks each key up on the reference (Extra). When a key differs in several ways the most significant kind is reported (value, then flags, then TTL). Values are compared by length and SHA-256, so memory stays bounded for servers; a dump side is indexed in memory, about 60 bytes per key. No output means the sides are equal. Live servers keep changing during the run: items that expire, are evicted or are written meanwhile show up as differences. Compare only reads: it changes nothing on any server.</para>
/// </summary>
/// <example>
///   <code>Compare-MemcacheData -Reference old-cache:11211 -Difference new-cache:11211 | Should -BeNullOrEmpty</code>
///   <para>Proves in a Pester test that the new server holds exactly what the old one holds: no output means no difference.</para>
/// </example>
/// <example>
///   <code>Compare-MemcacheData -Reference /backups/cache-a -Difference cache-1:11211,cache-2:11211,cache-3:11211 -Sample 0.05 -Summary</code>
///   <para>Checks 5% of the keys of a dump against a three-server ring after an import and returns one summary object with the counts per kind.</para>
/// </example>
/// <example>
///   <code>Import-MemcacheData -Path /backups/cache-a -Server new-cache:11211 | Compare-MemcacheData -Reference /backups/cache-a</code>
///   <para>The import result's Server property binds to -Difference, so the target is compared with the dump it was loaded from.</para>
/// </example>
/// <parameter name="MaxBytesPerSecond">
/// <para type="description">Limit on the value bytes per second each server sends (the values read to compare them), over all its connections. Request lines and reply headers are not counted.</para>
/// </parameter>
/// <seealso cref="ImportMemcacheDataCommand"/>
/// <seealso cref="ExportMemcacheDataCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsData.Compare, "MemcacheData", DefaultParameterSetName = ServersSet)]
[OutputType(typeof(MemcacheDifference), typeof(CompareSummary))]
public sealed class CompareMemcacheDataCommand : MemcacheBulkCmdlet
{
    private const string ServersSet = "Servers";
    private const string KeyTextSet = "KeyText";
    private readonly List<string> _difference = [];
    private GivenKeys? _given;

    /// <summary>
    /// <para type="description">What the data should look like, usually the migration's source: a server (host:port), several servers (a ring or pool placed as -RingForm says) or the path of a dump.</para>
    /// </summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Reference { get; set; } = [];

    /// <summary>
    /// <para type="description">What is checked against the reference, usually the migration's target: server(s) or a dump path, as for -Reference. Accepts pipeline input and binds from the Server property of piped objects (for example Import-MemcacheData results); piped servers together form one ring.</para>
    /// </summary>
    [Parameter(Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ServersSet)]
    [Parameter(Position = 1, ParameterSetName = KeyTextSet)]
    [Alias("Server")]
    [ValidateNotNullOrEmpty]
    public string[] Difference { get; set; } = [];

    /// <summary>
    /// <para type="description">The reference is this dump (folder or data file), even when its name could be read as a server.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ReferencePath { get; set; }

    /// <summary>
    /// <para type="description">The difference side is this dump (folder or data file).</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DifferencePath { get; set; }

    /// <summary>
    /// <para type="description">Check only this fraction of the keys (greater than 0, at most 1). Keys are chosen by a hash of their bytes, so both passes and reruns check the same keys.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1e-9, 1.0)]
    public double Sample { get; set; } = 1;

    /// <summary>
    /// <para type="description">Emit one summary object (counts per kind, duration, sampled fraction) instead of one object per difference.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>
    /// <para type="description">Remaining TTLs that differ by at most this many seconds are equal. Default 2. An item that never expires and one that does always differ.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long TtlTolerance { get; set; } = 2;

    /// <summary>
    /// <para type="description">Connections per server. Default 4.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Connections { get; set; } = 4;

    /// <summary>
    /// <para type="description">Keys per pipelined batch. Default 100.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// <para type="description">Compare only these keys instead of listing the server sides. Plain strings piped in bind here (Get-Content keys.txt | Compare-MemcacheData -Reference a -Difference b), for servers that do not list their keys. Each server side is asked about every key; a key neither side holds is not a difference.</para>
    /// </summary>
    [Parameter(ParameterSetName = ServersSet)]
    [Parameter(Mandatory = true, ParameterSetName = KeyTextSet, ValueFromPipeline = true)]
    public string[]? Key { get; set; }

    /// <summary>
    /// <para type="description">Compare only the keys in this file instead of listing the server sides: one key per line, 'b64:' and base64 for binary keys. A malformed or over-long key fails before anything is read, naming its line.</para>
    /// </summary>
    [Parameter(ParameterSetName = ServersSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == KeyTextSet)
        {
            _given ??= Own(new GivenKeys());
            Validate(() =>
            {
                _given.Add(Key ?? []);
                return 0;
            });
            return;
        }
        _difference.AddRange(Difference);
    }

    protected override void EndProcessing()
    {
        var bound = MyInvocation.BoundParameters;
        _given ??= Own(new GivenKeys());
        if (ParameterSetName == KeyTextSet)
            _difference.AddRange(Difference);
        else if (Key is { Length: > 0 })
            Validate(() =>
            {
                _given.Add(Key);
                return 0;
            });
        var keys = Validate(() => _given.Build(KeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFile)));
        var options = new ComparisonOptions
        {
            Keys = keys,
            Reference = Validate(() => Side(Reference, ReferencePath, nameof(Reference))),
            Difference = Validate(() => Side(_difference, DifferencePath, nameof(Difference))),
            Sample = bound.ContainsKey(nameof(Sample)) ? Sample : null,
            Summary = Summary.IsPresent,
            TtlTolerance = TtlTolerance,
            Ring = RingOptions,
            Connections = Connections,
            BatchSize = BatchSize,
            Window = Window,
            MaxOperationsPerSecond = OperationsLimit,
            MaxBytesPerSecond = BytesLimit,
            Connection = ConnectionOptions,
        };
        // Compare only reads, so there is nothing to confirm: no ShouldProcess.
        WriteVerbose($"Comparing {options.Reference} (reference) with {options.Difference} (difference){(options.Summary ? ", summary only" : string.Empty)}.");
        RunOperation((sink, token) => CompareService.RunAsync(options, sink, token));
        base.EndProcessing();
    }

    /// <summary>One side from its values (servers, or one existing path) or its explicit dump path.</summary>
    private CompareSide Side(IReadOnlyList<string> values, string? path, string name)
    {
        if (path is not null && values.Count > 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "CompareSideAmbiguous", $"Give -{name} or -{name}Path, not both.");
        if (path is not null)
            return CompareSide.FromPath(GetUnresolvedProviderPathFromPSPath(path));
        if (values.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "CompareSideMissing",
                $"-{name} is required: a server (host:port), several servers, or the path of a dump (or use -{name}Path).");
        return CompareSide.Resolve(values, ResolvePath);
    }

    /// <summary>Resolves against PowerShell's current location; text that is no path (host:port looks like a drive) stays as it is.</summary>
    private string ResolvePath(string text)
    {
        try
        {
            return GetUnresolvedProviderPathFromPSPath(text);
        }
        catch (Exception ex) when (ex is RuntimeException or ArgumentException or NotSupportedException or IOException)
        {
            return text;
        }
    }
}
