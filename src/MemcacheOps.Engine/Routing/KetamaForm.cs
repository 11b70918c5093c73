namespace MemcacheOps.Engine.Routing;

/// <summary>
/// Which client's ketama ring <see cref="KetamaRing"/> reproduces. Both place points with MD5 (four
/// little-endian uint32 points per digest), hash a key to point 0 of MD5(key), and give the key to the
/// first point at or after that hash, wrapping to the first point. They differ in the string hashed for
/// each server, in how many digests a server gets, and in who wins when two servers land on the same
/// point: each form's rules are one class (<see cref="SpymemcachedKetama"/>, <see cref="LibmemcachedKetama"/>).
/// Users choose a placement with <see cref="RingForm"/>; this enum only selects among the ketama rings.
/// </summary>
public enum KetamaForm
{
    /// <summary>
    /// EVCache / spymemcached <c>KetamaNodeLocator</c>, the ring Netflix cachemover filters with: server
    /// strings like Java's <c>InetSocketAddress</c> (<c>host/host:port</c>, <c>name/ip:port</c>,
    /// <c>ip:port</c>), pointsPerServer/4 digests each (default 160 points, cachemover's
    /// <c>ketama_bucket_size</c>), no weights, and the server listed last owns a shared point.
    /// </summary>
    Spymemcached = 0,

    /// <summary>
    /// twemproxy (nutcracker) <c>distribution: ketama</c>, which is libmemcached's weighted ketama
    /// (<c>MEMCACHED_DISTRIBUTION_CONSISTENT_WEIGHTED</c>) and libketama's layout: server strings
    /// <c>host</c> (port 11211), <c>host:port</c> or the configured name, digests by weight in single
    /// precision (156 instead of 160 points for some server counts, as the C sources do), and the server
    /// listed first owns a shared point. The key hash is MD5, so only twemproxy pools with <c>hash: md5</c>
    /// match (its default is fnv1a_64); twemproxy <c>hash_tag</c> is not applied. Plain libmemcached
    /// <c>MEMCACHED_BEHAVIOR_KETAMA</c> without weighting is a different ring and is not this form.
    /// </summary>
    Libmemcached = 1,
}
