using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Verification.NodeChecks;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Proves that a memcached server behaves like memcached before traffic is sent to it.</para>
/// <para type="description">Runs about fifty checks on each server, all servers at the same time: text and meta commands (set, add, replace, append, prepend, cas, get, gets, gat, touch, delete, incr, decr, ms, mg, md, ma, mn) with their exact reply codes, missing keys, noreply and quiet modes, pipelining, keys of 1 and 250 bytes and 251 rejected, base64 binary keys, flags 0 and 2^32-1 and every flag bit, empty values, values holding CR and LF and every byte value, values around slab class boundaries and at item_size_max (one byte more is refused and the old value is gone, as memcached does), TTLs as set and reported, and counters at their edges. It first discovers the server (version, item_size_max and slab sizes from stats settings, meta commands, flag width, clock) and adapts, so a server started with -I 64k is checked at its own limit.</para>
/// <para type="description">It is safe on a live server: every key of a run starts with memcacheops-test:&lt;run id&gt;: and expires within 10 minutes even if the run is cut off; the run deletes its keys at the end (the Server/Cleanup check proves none is left) and never touches other keys. The one key that cannot carry the prefix, the 1-byte key, is found with add (never overwriting a key in use) and deleted only if its CAS is still the run's. flush_all is never sent unless -Destructive is given.</para>
/// <para type="description">Emits one object per check per server: Server, Group, Check, Result (Passed, Failed or Skipped), Expected, Actual and Duration. A failed check names the step and the reply that differed in Actual (Format-List shows it whole). With -Quiet it emits one bool per server, in the order given, for Pester's Should -BeTrue. A server that cannot be reached, or stops answering mid-run, gives a non-terminating error (and $false with -Quiet).</para>
/// </summary>
/// <example>
///   <code>Test-MemcacheNode -Server new-cache:11211 -Quiet | Should -BeTrue</code>
///   <para>A Pester gate before cut-over: passes when every check passed on the new node.</para>
/// </example>
/// <example>
///   <code>Test-MemcacheNode -Server cache1:11211, cache2:11211 | Where-Object Result -eq Failed | Format-List Server, Group, Check, Expected, Actual</code>
///   <para>Checks two servers at once and shows what each failed check expected and what the server did instead.</para>
/// </example>
/// <example>
///   <code>Test-MemcacheNode -Server spare-cache:11211 -IncludeSlow -Destructive -Confirm:$false</code>
///   <para>Also waits for items to expire and checks flush_all, which deletes every item of the server: only for a node that holds nothing yet.</para>
/// </example>
/// <seealso cref="GetMemcacheStatsCommand"/>
/// <seealso cref="CompareMemcacheDataCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsDiagnostic.Test, "MemcacheNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(NodeCheckResult), typeof(bool))]
public sealed class TestMemcacheNodeCommand : MemcacheCmdlet
{
    private readonly List<string> _servers = [];

    /// <summary>
    /// <para type="description">Servers to check, as host, host:port or [IPv6]:port (default port 11211). Accepts pipeline input and objects with a Server property. All servers are checked at the same time.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Server { get; set; } = [];

    /// <summary>
    /// <para type="description">Also run the checks that wait for real time to pass: items with a 2 s TTL must be gone within 4 s (a few seconds more per run).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeSlow { get; set; }

    /// <summary>
    /// <para type="description">Also run the checks that change items other than the run's own: flush_all, which deletes every item on the server, and values larger than 32 MiB when item_size_max allows them. Only for a node that holds nothing yet.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Destructive { get; set; }

    /// <summary>
    /// <para type="description">Emit one bool per server (in the order given) instead of one object per check: $true when the server could be checked and no check failed.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord() => _servers.AddRange(Server);

    protected override void EndProcessing()
    {
        var servers = Validate(() => ServerEndpoint.ParseList(_servers));
        var target = string.Join(", ", servers);
        var action = Destructive.IsPresent
            ? "Run the node checks, including flush_all, which deletes every item on the server"
            : "Run the node checks (they write and delete only keys of their own)";
        // Decided once, before the checks fan out to the servers.
        if (!ShouldProcess(target, action))
        {
            base.EndProcessing();
            return;
        }
        var options = new NodeTestOptions
        {
            Servers = servers,
            IncludeSlow = IncludeSlow.IsPresent,
            Destructive = Destructive.IsPresent,
            SummaryOnly = Quiet.IsPresent,
            Connection = ConnectionOptions,
        };
        RunOperation((sink, token) => NodeTestService.RunAsync(options, Quiet.IsPresent ? new PassedOnly(sink) : sink, token));
        base.EndProcessing();
    }

    /// <summary>-Quiet: each server's summary becomes its Passed bool.</summary>
    private sealed class PassedOnly(IOperationSink inner) : IOperationSink
    {
        public ValueTask EmitAsync(object result, CancellationToken cancellationToken)
            => inner.EmitAsync(result is NodeTestSummary summary ? summary.Passed : result, cancellationToken);

        public void Error(MemcacheException error) => inner.Error(error);

        public void Warning(string message) => inner.Warning(message);

        public void Verbose(string message) => inner.Verbose(message);

        public void Progress(ProgressSnapshot snapshot) => inner.Progress(snapshot);
    }
}
