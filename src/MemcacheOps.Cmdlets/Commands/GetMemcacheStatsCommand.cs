using System.Globalization;
using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets statistics from one or more memcached servers.</para>
/// <para type="description">Reads 'stats' from every server in parallel and emits one object per server with version, uptime, clock skew, memory, items, hit ratio, evictions, connections and command counters, plus every raw field. -Group reads slabs, items per class, settings or connections instead. -Interval samples repeatedly and emits per-interval rates. An unreachable server gives a non-terminating error while the others still report.</para>
/// </summary>
/// <example>
/// <code>Get-MemcacheStats -Server cache1, cache2:11212, '[::1]:11211'</code>
/// <para>Shows one summary line per server: version, uptime, memory used, items and hit ratio. Format-List * shows every field.</para>
/// </example>
/// <example>
/// <code>Get-MemcacheStats -Server cache1 -Interval 5 -Count 12</code>
/// <para>Samples the server every 5 seconds for one minute and shows gets, sets, hit ratio and traffic per second for each interval.</para>
/// </example>
/// <example>
/// <code>Get-MemcacheStats -Server cache1 -Group Slabs | Sort-Object UsedChunks -Descending | Select-Object -First 5</code>
/// <para>Shows the five slab classes holding the most items.</para>
/// </example>
/// <seealso cref="GetMemcacheKeysCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsCommon.Get, "MemcacheStats")]
[Alias("Get-MemcacheStatistic")]
[OutputType(typeof(ServerStats), typeof(StatsSample), typeof(SlabClassStats), typeof(ItemClassStats), typeof(ServerSettings), typeof(ConnectionStats))]
public sealed class GetMemcacheStatsCommand : MemcacheCmdlet
{
    private readonly List<string> _servers = [];

    /// <summary>
    /// <para type="description">Servers as host, host:port or [IPv6]:port (default port 11211). Accepts pipeline input and objects with a Server property.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Server { get; set; } = [];

    /// <summary>
    /// <para type="description">Which stats to read: General (default), Slabs, Items, Settings or Conns.</para>
    /// </summary>
    [Parameter]
    public StatsGroup Group { get; set; } = StatsGroup.General;

    /// <summary>
    /// <para type="description">Sample every this many seconds and emit rates (gets/s, sets/s, hit ratio, evictions/s, bytes in and out per second) instead of one summary.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0.1, 86400)]
    public double Interval { get; set; }

    /// <summary>
    /// <para type="description">How many samples to take with -Interval; without it sampling goes on until Ctrl+C.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; }

    protected override void ProcessRecord() => _servers.AddRange(Server);

    protected override void EndProcessing()
    {
        var servers = Validate(() => ServerEndpoint.ParseList(_servers));
        var options = new StatsOptions
        {
            Servers = servers,
            Group = Group,
            Interval = MyInvocation.BoundParameters.ContainsKey(nameof(Interval)) ? TimeSpan.FromSeconds(Interval) : null,
            Count = MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : null,
            Connection = ConnectionOptions,
        };
        WriteVerbose(options.Interval is { } every
            ? string.Create(CultureInfo.InvariantCulture, $"Sampling {Group} statistics of {string.Join(", ", servers)} every {every.TotalSeconds:0.###} s{(options.Count is { } count ? $", {count} time(s)" : " until stopped")}.")
            : $"Reading {Group} statistics of {string.Join(", ", servers)}.");
        RunOperation((sink, token) => StatsService.RunAsync(options, sink, token));
        base.EndProcessing();
    }
}
