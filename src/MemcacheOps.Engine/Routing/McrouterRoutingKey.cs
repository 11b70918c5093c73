namespace MemcacheOps.Engine.Routing;

/// <summary>
/// The part of a key mcrouter hashes (its key syntax, <c>/region/cluster/foo:key|#|etc</c>):
/// <list type="bullet">
/// <item>A routing prefix, a leading '/' followed by two more '/' (<c>/region/cluster/</c>), picks the
/// route and is not hashed. mcrouter normally strips it before forwarding, so servers only hold keys that
/// still start with one when the pool keeps it (<c>keep_routing_prefix</c>).</item>
/// <item>A hash stop <c>|#|</c> ends the hashed part: <c>foo:key|#|etc</c> is hashed as <c>foo:key</c> and
/// stored whole, which keeps related keys on one server.</item>
/// <item>A pool's <c>hash_salt</c> is appended to that routing key before hashing.</item>
/// </list>
/// </summary>
internal static class McrouterRoutingKey
{
    private static ReadOnlySpan<byte> HashStop => "|#|"u8;

    /// <summary>The routing key of <paramref name="key"/>: without its routing prefix, up to its hash stop.</summary>
    public static ReadOnlySpan<byte> Of(ReadOnlySpan<byte> key)
    {
        if (key.Length > 0 && key[0] == (byte)'/')
        {
            var first = key[1..].IndexOf((byte)'/');
            if (first >= 0)
            {
                var afterFirst = first + 2;
                var second = key[afterFirst..].IndexOf((byte)'/');
                if (second >= 0)
                    key = key[(afterFirst + second + 1)..];
            }
        }
        var stop = key.IndexOf(HashStop);
        return stop >= 0 ? key[..stop] : key;
    }
}
