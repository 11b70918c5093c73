namespace MemcacheOps.Engine.Storing;

/// <summary>
/// memcached's expiry rules: T0 never expires, 1..2592000 (30 days) is relative seconds, anything
/// larger is an absolute unix time, and an absolute time in the past expires at once.
/// </summary>
public static class ExpiryMath
{
    public const long MaxRelativeSeconds = 2_592_000;

    /// <summary>Absolute expiry (unix seconds; -1 never) from a remaining TTL read with <c>mg t</c> at <paramref name="nowUnix"/>.</summary>
    public static long AbsoluteFromRemaining(long remaining, long nowUnix) => remaining < 0 ? -1 : nowUnix + remaining;

    /// <summary>
    /// The T token that keeps an item's remaining lifetime: 0 for never, the remaining seconds when
    /// they fit the relative range, else the absolute time. False when the item has already expired
    /// (or has less than <paramref name="minimumRemaining"/> left), so it should be skipped.
    /// </summary>
    public static bool TryGetTtlToken(long absoluteExpiry, long nowUnix, long minimumRemaining, out long token)
    {
        if (absoluteExpiry < 0)
        {
            token = 0;
            return true;
        }
        var remaining = absoluteExpiry - nowUnix;
        if (remaining <= 0 || remaining < minimumRemaining)
        {
            token = 0;
            return false;
        }
        token = remaining <= MaxRelativeSeconds ? remaining : absoluteExpiry;
        return true;
    }

    /// <summary>
    /// The largest value memcached 1.6 stores for a key of this length and these flags, given the
    /// server's <c>item_size_max</c>: the item header (48), CAS (8), key, terminator and CRLF, and the
    /// flags field when flags are non-zero all count against the limit. Measured on 1.6.18.
    /// </summary>
    public static long MaxValueLength(long itemSizeMax, int keyLength, uint flags)
        => itemSizeMax - (48 + 8 + keyLength + 1 + 2 + (flags != 0 ? 4 : 0));
}
