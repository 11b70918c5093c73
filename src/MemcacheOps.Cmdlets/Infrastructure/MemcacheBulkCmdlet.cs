using System.Management.Automation;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>
/// A cmdlet that reads or writes items in bulk: pipelined batches, keys routed on a ketama ring, and limits
/// that protect live traffic. These parameters are declared once so their names, aliases, validation and
/// defaults stay the same on every such cmdlet. The descriptions here are what help shows unless a cmdlet
/// says what a parameter means for it with <c>&lt;parameter name="..."&gt;</c> in its class comment.
/// -Connections and -BatchSize stay on each cmdlet: their defaults, ranges, aliases and meaning differ.
/// </summary>
public abstract class MemcacheBulkCmdlet : MemcacheCmdlet
{
    /// <summary>
    /// <para type="description">Batches in flight per connection. Default 4.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Window { get; set; } = 4;

    /// <summary>
    /// <para type="description">Ketama form: Spymemcached (default, as EVCache) or Libmemcached (as twemproxy).</para>
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
    /// <para type="description">Limit on operations per second per server, to protect live traffic. Listings are not throttled.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, double.MaxValue)]
    public double MaxOpsPerSecond { get; set; }

    /// <summary>
    /// <para type="description">Limit on the value bytes per second each server sends or receives for this operation, over all its connections (request lines and reply headers are not counted).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, double.MaxValue)]
    public double MaxBytesPerSecond { get; set; }

    /// <summary>-MaxOpsPerSecond as the engine takes it: null (no limit) unless the user gave it.</summary>
    protected double? OperationsLimit => MyInvocation.BoundParameters.ContainsKey(nameof(MaxOpsPerSecond)) ? MaxOpsPerSecond : null;

    /// <summary>-MaxBytesPerSecond as the engine takes it: null (no limit) unless the user gave it.</summary>
    protected double? BytesLimit => MyInvocation.BoundParameters.ContainsKey(nameof(MaxBytesPerSecond)) ? MaxBytesPerSecond : null;
}
