using System.Management.Automation;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>
/// A cmdlet that reads or writes items in bulk: pipelined batches, keys routed to their owner on a ring or pool, and limits
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
    /// <para type="description">How keys are placed on several servers, as the fleet's clients place them: Spymemcached (default; ketama as EVCache, spymemcached, cachemover), Libmemcached (ketama as twemproxy and libmemcached), or mcrouter's Ch3 (its default pool hash), Crc32 and WeightedCh3 (with -HashWeight). mcrouter forms index into the server list, so give the servers in the pool's order. See docs/placement.md.</para>
    /// </summary>
    [Parameter]
    public RingForm RingForm { get; set; } = RingForm.Spymemcached;

    /// <summary>
    /// <para type="description">Ketama points per server. Default 160. Only ketama forms (Spymemcached, Libmemcached) have points.</para>
    /// </summary>
    [Parameter]
    [Alias("KetamaBucketSize")]
    [ValidateRange(1, 65536)]
    public int PointsPerServer { get; set; } = KetamaRing.DefaultPointsPerServer;

    /// <summary>
    /// <para type="description">mcrouter's hash_salt of the pool: appended to every routing key before hashing. Only with -RingForm Ch3, Crc32 or WeightedCh3.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HashSalt { get; set; }

    /// <summary>
    /// <para type="description">mcrouter's weights of a WeightedCh3 pool, one per server in server order, each from 0 to 1 (the pool's "weights"). Required by -RingForm WeightedCh3 and refused by the other forms.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double[]? HashWeight { get; set; }

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

    /// <summary>-RingForm, -PointsPerServer, -HashSalt and -HashWeight as the engine takes them: the points only when given, so the engine can refuse them for an mcrouter form.</summary>
    protected RingOptions RingOptions => new()
    {
        Form = RingForm,
        PointsPerServer = MyInvocation.BoundParameters.ContainsKey(nameof(PointsPerServer)) ? PointsPerServer : null,
        HashSalt = HashSalt,
        Weights = HashWeight,
    };

    /// <summary>-MaxOpsPerSecond as the engine takes it: null (no limit) unless the user gave it.</summary>
    protected double? OperationsLimit => MyInvocation.BoundParameters.ContainsKey(nameof(MaxOpsPerSecond)) ? MaxOpsPerSecond : null;

    /// <summary>-MaxBytesPerSecond as the engine takes it: null (no limit) unless the user gave it.</summary>
    protected double? BytesLimit => MyInvocation.BoundParameters.ContainsKey(nameof(MaxBytesPerSecond)) ? MaxBytesPerSecond : null;
}
