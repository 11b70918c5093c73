using System.Management.Automation;
using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Lists the keys stored on memcached servers.</para>
/// <para type="description">Streams one object per item from 'lru_crawler metadump hash' (every key present for the whole listing appears exactly once), falling back to 'metadump all' and then 'stats cachedump' with a warning that says what may be missed. Filters apply while streaming. The listing connection is drained continuously, spilling to a temporary file when the pipeline is slower, so the server is never stalled; stopping early (Select-Object -First) closes the listing promptly.</para>
/// </summary>
/// <example>
/// <code>Get-MemcacheKeys -Server cache1:11211 -Pattern 'user:*' | Select-Object -First 20</code>
/// <para>Shows the first 20 keys that start with 'user:'. The listing on the server stops as soon as Select-Object has its 20 items.</para>
/// </example>
/// <example>
/// <code>Get-MemcacheKeys -Server cache1 -Pattern 'session:*' -ExpiringBefore (Get-Date).AddHours(1) -CountOnly</code>
/// <para>Counts the session keys that expire within the next hour, without emitting them.</para>
/// </example>
/// <example>
/// <code>
/// Get-MemcacheKeys -Server cache1 -SlabClass 40, 41, 42 |
///     Sort-Object Size -Descending |
///     Select-Object -First 10 Key, Size, Expiration
/// </code>
/// <para>Lists the ten largest items of the biggest slab classes.</para>
/// </example>
/// <remarks>
/// <para>Keys that are not printable UTF-8 are shown percent-encoded in Key (IsBinaryKey is true); KeyBytes always holds the exact bytes.</para>
/// </remarks>
/// <seealso cref="GetMemcacheStatsCommand"/>
/// <seealso href="about_MemcacheOps">about_MemcacheOps</seealso>
[Cmdlet(VerbsCommon.Get, "MemcacheKeys")]
[Alias("Get-MemcacheKey")]
[OutputType(typeof(MemcacheKeyInfo), typeof(KeyCountResult))]
public sealed class GetMemcacheKeysCommand : MemcacheCmdlet
{
    /// <summary>
    /// <para type="description">Servers as host, host:port or [IPv6]:port (default port 11211). Accepts pipeline input and objects with a Server property.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Server { get; set; } = [];

    /// <summary>
    /// <para type="description">Only keys matching this wildcard pattern (* ? [a-z]), or regular expression with -Regex.</para>
    /// </summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    public string? Pattern { get; set; }

    /// <summary>
    /// <para type="description">Treat -Pattern and -Exclude as regular expressions instead of wildcards.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Regex { get; set; }

    /// <summary>
    /// <para type="description">Leave out keys matching this pattern.</para>
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    public string? Exclude { get; set; }

    /// <summary>
    /// <para type="description">Only items of these slab classes (1-63).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 63)]
    public int[]? SlabClass { get; set; }

    /// <summary>
    /// <para type="description">Only items that expire before this time; never-expiring items are left out.</para>
    /// </summary>
    [Parameter]
    public DateTime? ExpiringBefore { get; set; }

    /// <summary>
    /// <para type="description">Only items that live past this time; never-expiring items are included.</para>
    /// </summary>
    [Parameter]
    public DateTime? ExpiringAfter { get; set; }

    /// <summary>
    /// <para type="description">Stop after this many matching keys per server.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long First { get; set; }

    /// <summary>
    /// <para type="description">Emit only the number of matching items per server.</para>
    /// </summary>
    [Parameter]
    [Alias("Count")]
    public SwitchParameter CountOnly { get; set; }

    /// <summary>
    /// <para type="description">Listing method: Auto (default), MetadumpHash, MetadumpAll or CacheDump.</para>
    /// </summary>
    [Parameter]
    public ListingMethod Method { get; set; } = ListingMethod.Auto;

    /// <summary>
    /// <para type="description">Folder for the listing's spill file when the pipeline is slower than the server (default: the temp folder).</para>
    /// </summary>
    [Parameter]
    public string? SpillDirectory { get; set; }

    protected override void ProcessRecord()
    {
        var servers = Validate(() => ServerEndpoint.ParseList(Server));
        var filter = Validate(() => new KeyFilter(Pattern, Regex.IsPresent, SlabClass,
            ExpiringBefore is { } before ? new DateTimeOffset(before.ToUniversalTime()) : null,
            ExpiringAfter is { } after ? new DateTimeOffset(after.ToUniversalTime()) : null,
            Exclude, Regex.IsPresent));
        var request = new KeyListingRequest
        {
            Servers = servers,
            Filter = filter,
            First = MyInvocation.BoundParameters.ContainsKey(nameof(First)) ? First : null,
            CountOnly = CountOnly.IsPresent,
            Listing = new ListingOptions
            {
                Method = Method,
                SpillDirectory = SpillDirectory is null ? null : GetUnresolvedProviderPathFromPSPath(SpillDirectory),
                Connection = ConnectionOptions,
            },
        };
        WriteVerbose($"{(CountOnly.IsPresent ? "Counting" : "Listing")} the keys of {string.Join(", ", servers)}{(Pattern is null ? string.Empty : $" matching '{Pattern}'")}.");
        RunOperation((sink, token) => KeyListingService.RunAsync(request, sink, token));
    }
}
