namespace MemcacheOps.Engine.Routing;

/// <summary>
/// Which client's ketama ring to reproduce. Both place points with MD5 (four little-endian uint32
/// points per digest), hash a key to point 0 of MD5(key), and give the key to the first point at or
/// after that hash, wrapping to the first point. They differ in the string hashed for each server,
/// in how many digests a server gets, and in who wins when two servers land on the same point.
/// </summary>
public enum KetamaForm
{
    /// <summary>
    /// EVCache / spymemcached <c>KetamaNodeLocator</c>, the ring Netflix cachemover filters with.
    /// <list type="bullet">
    /// <item>Per server, digest <c>j</c> (0 .. pointsPerServer/4 - 1) is MD5 of
    /// <c>"&lt;base&gt;-&lt;j&gt;"</c>, where the base mimics Java's <c>InetSocketAddress.toString()</c>:
    /// <c>"&lt;host&gt;/&lt;host&gt;:&lt;port&gt;"</c> by default (cachemover's form),
    /// <c>"&lt;name&gt;/&lt;ip&gt;:&lt;port&gt;"</c> when the client knew the server by a name, and
    /// <c>"&lt;ip&gt;:&lt;port&gt;"</c> when it knew none (spymemcached drops the leading '/').</item>
    /// <item>Every server gets exactly pointsPerServer points (default 160, cachemover's
    /// <c>ketama_bucket_size</c>); weights do not exist in this form.</item>
    /// <item>Ties: the ring is a sorted map filled server by server in list order, and a later insert
    /// replaces an earlier one (Java <c>TreeMap.put</c>, C++ <c>std::map::operator[]</c> in
    /// cachemover), so on an equal point the server listed LAST owns it.</item>
    /// </list>
    /// </summary>
    Spymemcached = 0,

    /// <summary>
    /// twemproxy (nutcracker) <c>distribution: ketama</c>, which is libmemcached's weighted ketama
    /// (<c>MEMCACHED_DISTRIBUTION_CONSISTENT_WEIGHTED</c>, what <c>MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED</c>
    /// turns on) and libketama's layout.
    /// <list type="bullet">
    /// <item>Per server, digest <c>i</c> (0-based) is MD5 of <c>"&lt;base&gt;-&lt;i&gt;"</c>. The base is
    /// the server's name when twemproxy's <c>host:port:weight name</c> gave one; otherwise
    /// <c>"&lt;host&gt;"</c> when the port is 11211 (kept for libmemcached compatibility) and
    /// <c>"&lt;host&gt;:&lt;port&gt;"</c> for any other port.</item>
    /// <item>Digests per server = floor(weight/totalWeight x points/4 x serverCount + 1e-10), computed
    /// in single-precision float exactly as both C sources do; each digest gives 4 points. With equal
    /// weights this is points/4 digests for most server counts, but float rounding gives one digest
    /// fewer (156 instead of 160 points) for some counts, for example 25, 47, 50 and 100 servers; the
    /// reference implementations behave that way, so this ring does too.</item>
    /// <item>The key hash is point 0 of MD5(key): libmemcached selects MD5 for weighted ketama;
    /// twemproxy uses the pool's <c>hash</c> setting, so only pools with <c>hash: md5</c> match
    /// (twemproxy's default key hash is fnv1a_64). twemproxy <c>hash_tag</c> is not applied here.</item>
    /// <item>Ties: both sort the points with C <c>qsort</c> comparing values only, and dispatch with a
    /// lower-bound search, which returns the first of equal points. glibc's qsort is a merge sort
    /// (stable) for such arrays, so points keep server order and the server listed FIRST owns a tie.</item>
    /// </list>
    /// Plain libmemcached <c>MEMCACHED_BEHAVIOR_KETAMA</c> without weighting is a different ring (100
    /// points per server, one per digest of its distribution hash) and is not this form.
    /// </summary>
    Libmemcached = 1,
}
