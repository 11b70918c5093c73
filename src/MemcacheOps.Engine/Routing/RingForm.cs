namespace MemcacheOps.Engine.Routing;

/// <summary>
/// How keys are placed on a pool of servers: which client or proxy the placement reproduces. Keys placed
/// by another form than the one the fleet's clients use are misses for every client (docs/placement.md
/// compares the forms and says what must match).
/// </summary>
public enum RingForm
{
    /// <summary>Ketama as EVCache, spymemcached and Netflix cachemover place keys (the default); see <see cref="KetamaForm.Spymemcached"/>.</summary>
    Spymemcached = 0,

    /// <summary>Ketama as libmemcached's weighted ketama and twemproxy (<c>distribution: ketama</c>, <c>hash: md5</c>) place keys; see <see cref="KetamaForm.Libmemcached"/>.</summary>
    Libmemcached = 1,

    /// <summary>
    /// mcrouter's default pool hash <c>ch3</c>: furc_hash of the routing key (plus the pool's hash salt) gives
    /// an index into the pool's server list, so the order of the servers matters and their addresses do not.
    /// </summary>
    Ch3 = 2,

    /// <summary>mcrouter's <c>crc32</c> pools: (crc32(routing key + salt) &amp; 0x7fffffff) mod the number of servers.</summary>
    Crc32 = 3,

    /// <summary>
    /// mcrouter's weighted ch3 (<c>WeightedCh3</c>, "wch3"): ch3 with a weight in [0, 1] per server (the
    /// pool's <c>weights</c>); a key whose ch3 server rejects it by weight is rehashed with a counter
    /// appended. Needs one weight per server (-HashWeight); with every weight 1 it places keys as Ch3.
    /// </summary>
    WeightedCh3 = 4,
}
