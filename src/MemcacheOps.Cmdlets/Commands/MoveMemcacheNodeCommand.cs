using System.Globalization;
using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Move;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Copies the items of memcached servers to other servers while they keep serving traffic.</para>
/// <para type="description">Live migration with no disk in between: each source is listed ('lru_crawler metadump hash'), every key is routed to its owner on the new ring or pool (-RingForm: ketama as EVCache or twemproxy, or mcrouter's ch3, crc32 and weighted ch3), and the items that must move are fetched with pipelined 'mg' and written with pipelined 'ms', keeping value, flags and remaining TTL. Node replacement copies everything from -Source to -Destination; for ring changes give the old and new server lists (-OnlyMoved copies only keys whose owner changes); to warm one replaced node, read the other replica and give its ring with -RingServer. -Passes repeats the copy while traffic continues: each later pass copies only keys that are new or whose CAS changed (those with Set), and with -SyncDeletes deletes on the destination keys that vanished from the source, until a pass finds fewer changes than -ChangeThreshold or -Deadline passes. -Continuous keeps syncing until stopped and writes one status object per pass, a cut-over aid. Before writing, the destinations' free memory is checked (refused unless -Force when a destination would have to evict), and during the move their evictions are watched (-EvictionPolicy). -MaxOpsPerSecond and -MaxBytesPerSecond protect live traffic on every server involved. -WhatIf prints, per destination, the items and bytes that would move. The output is one result per destination (Successful, Failed or Skipped) with the counts, passes and residual. ConfirmImpact is High because a move writes into live servers and, with -Mode Set or -SyncDeletes, overwrites or deletes there (PowerShell fixes the impact per cmdlet, so it cannot be lowered for plain Add moves): use -Confirm:$false in scripts.</para>
/// </summary>
/// <example>
/// <code>Move-MemcacheNode -Source 10.0.0.5:11211 -Destination 10.0.0.9:11211 -Passes 5 -SyncDeletes -MaxOpsPerSecond 20000 -Confirm:$false</code>
/// <para>Replaces a node: copies everything, then up to four more passes copy what live traffic changed and delete what it removed, at most 20,000 operations per second on each server. The result's Residual says how many keys still differed after the last pass.</para>
/// </example>
/// <example>
/// <code>Move-MemcacheNode -Source 10.0.0.5:11211 -Destination tls://cache.abc123.use1.cache.amazonaws.com:11211 -Confirm:$false</code>
/// <para>Moves a plain self-run node into an encrypted managed one: the destination written tls://host:port is reached over TLS, the source in plain TCP.</para>
/// </example>
/// <example>
/// <code>Move-MemcacheNode -Source cache1,cache2,cache3 -Destination cache1,cache2,cache3,cache4,cache5 -OnlyMoved -WhatIf</code>
/// <para>Plans a scale-out from three to five nodes: prints, per destination, how many items and bytes would move (only keys whose owner changes), and writes nothing.</para>
/// </example>
/// <example>
/// <code>Move-MemcacheNode -Source r1-a,r1-b,r1-c -Destination r2-c -RingServer r2-a,r2-b,r2-c</code>
/// <para>Warms the replaced node r2-c of replica 2 from replica 1: only the keys that r2-c owns on replica 2's ring are copied.</para>
/// </example>
/// <example>
/// <code>Move-MemcacheNode -Source mc-a,mc-b,mc-c -Destination mc-d -RingServer mc-a,mc-b,mc-c,mc-d -RingForm Ch3</code>
/// <para>Warms mc-d, the new fourth member of an mcrouter ch3 pool, from its peers before it is added to the pool's server list: only the keys that the grown pool gives to mc-d are copied (about a quarter).</para>
/// </example>
/// <example>
/// <code>Move-MemcacheNode -Source old:11211 -Destination new:11211 -Continuous -SyncDeletes -PassInterval 10 | Format-Table Pass, Changed, Copied, Deleted, Residual</code>
/// <para>Keeps the new node in sync until Ctrl+C, showing one line per pass; switch clients over when the residual stays near zero.</para>
/// </example>
/// <parameter name="MaxOpsPerSecond">
/// <para type="description">Limit on operations per second per server, applied to every source and every destination.</para>
/// </parameter>
/// <parameter name="MaxBytesPerSecond">
/// <para type="description">Limit on the value bytes per second each source sends and each destination receives, over all its connections; a server that is both draws from one limit.</para>
/// </parameter>
/// <seealso cref="CompareMemcacheDataCommand"/>
/// <seealso cref="ExportMemcacheDataCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsCommon.Move, "MemcacheNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ServersSet)]
[OutputType(typeof(MoveResult), typeof(MovePassStatus))]
public sealed class MoveMemcacheNodeCommand : MemcacheBulkCmdlet
{
    private const string ServersSet = "Servers";
    private const string KeyTextSet = "KeyText";
    private readonly List<string> _sources = [];
    private GivenKeys? _given;

    /// <summary>
    /// <para type="description">The server(s) to read from, as host, host:port or [IPv6]:port. Accepts objects with a Server property from the pipeline (e.g. Get-MemcacheStats).</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ServersSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = KeyTextSet)]
    [Alias("Server")]
    [ValidateNotNullOrEmpty]
    public string[] Source { get; set; } = [];

    /// <summary>
    /// <para type="description">The server(s) to write to. Unless -RingServer is given they are also the new ring, and each key goes to its owner on it.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] Destination { get; set; } = [];

    /// <summary>
    /// <para type="description">The whole new ring or pool when -Destination is only part of it: only keys whose owner on it is a destination are copied (warming one replaced node or one new mcrouter pool member). Give the servers in the clients' order (mcrouter pools index into it); for ketama forms they may be written host:port, name/ip:port or /ip:port as the clients know them.</para>
    /// </summary>
    [Parameter]
    public string[]? RingServer { get; set; }

    /// <summary>
    /// <para type="description">The ring or pool before the change, for -OnlyMoved, in the clients' order. Default: the sources.</para>
    /// </summary>
    [Parameter]
    public string[]? OldRingServer { get; set; }

    /// <summary>
    /// <para type="description">Copy only keys whose owner on the old ring differs from their owner on the new ring (scale out, scale in, retiring a node).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter OnlyMoved { get; set; }

    /// <summary>
    /// <para type="description">Add (default): never overwrite what the destination already has. Set: overwrite. Keys that changed on the source since an earlier pass are always overwritten, so the newer version wins.</para>
    /// </summary>
    [Parameter]
    [ValidateSet("Add", "Set")]
    public StoreMode Mode { get; set; } = StoreMode.Add;

    /// <summary>
    /// <para type="description">In passes after the first, delete on the destination the keys that vanished from the source.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter SyncDeletes { get; set; }

    /// <summary>
    /// <para type="description">At most this many passes. Default 1 (a single copy).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int Passes { get; set; } = 1;

    /// <summary>
    /// <para type="description">Stop once a pass finds fewer than this many changed keys. Default 1: a pass that finds nothing ends the move.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long ChangeThreshold { get; set; } = 1;

    /// <summary>
    /// <para type="description">Seconds from the start after which no new pass begins (the pass under way finishes). Also ends -Continuous.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0.001, 31536000)]
    public double Deadline { get; set; }

    /// <summary>
    /// <para type="description">Keep syncing until stopped (Ctrl+C) or -Deadline, writing one status object per pass (pass, changed, copied, deleted, residual, duration) before the final results.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Continuous { get; set; }

    /// <summary>
    /// <para type="description">Seconds to wait between passes. Default 0, or 5 with -Continuous.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public double PassInterval { get; set; }

    /// <summary>
    /// <para type="description">Move even when a destination's free memory cannot hold its share without evictions; the evictions are then watched and reported.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// <para type="description">What to do when a destination evicts during the move: Continue (default: warn and report), Pause (hold writes to it until its evictions stop; fail it if they never do) or Abort (stop writing to it; its result is Failed).</para>
    /// </summary>
    [Parameter]
    public MoveEvictionPolicy EvictionPolicy { get; set; } = MoveEvictionPolicy.Continue;

    /// <summary>
    /// <para type="description">Connections per source (fetching) and per destination (writing). Default 2.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Connections { get; set; } = 2;

    /// <summary>
    /// <para type="description">Keys per pipelined batch. Default 100.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 10000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// <para type="description">Move only these keys instead of listing the sources. Plain strings piped in bind here (Get-Content keys.txt | Move-MemcacheNode -Source a -Destination b), for sources that do not list their keys (memcached -X, ElastiCache 1.6.17+, ElastiCache Serverless). Each key is looked up on every source before each pass; keys a source lacks are reported in the notes.</para>
    /// </summary>
    [Parameter(ParameterSetName = ServersSet)]
    [Parameter(Mandatory = true, ParameterSetName = KeyTextSet, ValueFromPipeline = true)]
    public string[]? Key { get; set; }

    /// <summary>
    /// <para type="description">Move only the keys in this file instead of listing the sources: one key per line, 'b64:' and base64 for binary keys. A malformed or over-long key fails before anything is read, naming its line.</para>
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
        _sources.AddRange(Source);
    }

    protected override void EndProcessing()
    {
        _given ??= Own(new GivenKeys());
        if (ParameterSetName == KeyTextSet)
            _sources.AddRange(Source);
        else if (Key is { Length: > 0 })
            Validate(() =>
            {
                _given.Add(Key);
                return 0;
            });
        var options = Validate(BuildOptions);
        // The plan (a listing of the sources and the destinations' stats; nothing is written) gives the
        // confirmation prompts and -WhatIf their numbers, and is reused as the move's preflight.
        var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value) && value is SwitchParameter bound
            ? bound.IsPresent
            : SessionState.PSVariable.GetValue("WhatIfPreference") is true or SwitchParameter { IsPresent: true };
        // -WhatIf shows the exact plan; a real run may answer a node replacement that clearly fits from stats.
        IReadOnlyList<MovePlan> plan = [];
        RunOperation(async (sink, token) => plan = await MoveService.PlanAsync(options, sink, token, allowEstimate: !whatIf).ConfigureAwait(false));
        if (!whatIf)
            Validate(() => MoveService.CheckFit(plan, Force.IsPresent));

        var confirmed = new List<ServerEndpoint>();
        foreach (var entry in plan)
        {
            var action = Describe(entry, options);
            if (ShouldProcess(action + ".", action + "?", "Move-MemcacheNode", out var reason))
                confirmed.Add(ServerEndpoint.Parse(entry.Destination));
            else if (reason != ShouldProcessReason.WhatIf)
                WriteObject(new MoveResult
                {
                    Source = entry.Source,
                    Destination = entry.Destination,
                    Status = MoveStatus.Skipped,
                    Mode = options.Mode,
                    Residual = -1,
                    Notes = ["Declined at the confirmation prompt; nothing was written to it."],
                });
        }
        if (confirmed.Count > 0)
        {
            // Declined destinations keep their place on the ring, so the others receive exactly their own keys.
            var run = options with
            {
                Destinations = confirmed,
                RingServers = options.RingServers ?? options.Destinations.Select(d => new KetamaNode(d)).ToList(),
            };
            var runPlan = plan.Where(p => confirmed.Any(c => c.ToString() == p.Destination)).ToList();
            RunOperation(async (sink, token) =>
            {
                foreach (var result in await MoveService.RunAsync(run, sink, token, runPlan).ConfigureAwait(false))
                    await sink.EmitAsync(result, token).ConfigureAwait(false);
            });
        }
        base.EndProcessing();
    }

    private MoveOptions BuildOptions()
    {
        var bound = MyInvocation.BoundParameters;
        return new MoveOptions
        {
            Keys = _given!.Build(KeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFile)),
            Sources = ServerEndpoint.ParseList(_sources),
            Destinations = ServerEndpoint.ParseList(Destination),
            RingServers = RingServer is { Length: > 0 } ? KetamaNode.ParseList(RingServer) : null,
            OldRingServers = OldRingServer is { Length: > 0 } ? KetamaNode.ParseList(OldRingServer) : null,
            OnlyMoved = OnlyMoved.IsPresent,
            Mode = Mode,
            SyncDeletes = SyncDeletes.IsPresent,
            Passes = Passes,
            ChangeThreshold = ChangeThreshold,
            Deadline = bound.ContainsKey(nameof(Deadline)) ? TimeSpan.FromSeconds(Deadline) : null,
            Continuous = Continuous.IsPresent,
            PassInterval = bound.ContainsKey(nameof(PassInterval)) ? TimeSpan.FromSeconds(PassInterval) : null,
            MaxOperationsPerSecond = OperationsLimit,
            MaxBytesPerSecond = BytesLimit,
            Force = Force.IsPresent,
            EvictionPolicy = EvictionPolicy,
            Ring = RingOptions,
            Connections = Connections,
            BatchSize = BatchSize,
            Window = Window,
            Connection = ConnectionOptions,
        };
    }

    /// <summary>The ShouldProcess action text: what would be written to one destination.</summary>
    private static string Describe(MovePlan plan, MoveOptions options)
    {
        var c = CultureInfo.InvariantCulture;
        var size = plan.Estimated
            ? string.Create(c, $"about {plan.Items:N0} items ({Units.Bytes(plan.Bytes)}, at most {Units.Bytes(Math.Max(0, plan.MemoryNeeded))} of slab memory)")
            : string.Create(c, $"{plan.Items:N0} items ({Units.Bytes(plan.Bytes)}, {Units.Bytes(Math.Max(0, plan.MemoryNeeded))} of slab memory)");
        var what = string.Create(c, $"Copy {size} from {plan.Source} to {plan.Destination} with mode {options.Mode}");
        if (options.Keys is { IsListing: false } keys)
            what += ", only the keys of " + keys.Description;
        if (options.Passes > 1 || options.Continuous)
            what += options.Continuous ? ", syncing continuously" : string.Create(c, $", up to {options.Passes} passes overwriting keys that change");
        if (options.SyncDeletes)
            what += ", deleting keys that vanish from the source";
        if (plan.Problem is not null)
            what += " (destination unreachable: " + plan.Problem + ")";
        else if (!plan.Fits)
            what += string.Create(c, $" (only {Units.Bytes(plan.FreeBytes)} free: it would evict; refused without -Force)");
        return what;
    }
}
