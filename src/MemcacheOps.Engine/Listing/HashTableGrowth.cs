using System.Globalization;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Listing;

/// <summary>
/// Keeps <c>lru_crawler metadump hash</c> away from a growth of the server's hash table.
/// </summary>
/// <remarks>
/// In memcached 1.6 (read in 1.6.18's crawler.c, assoc.c and thread.c) the hash-mode crawler holds the
/// crawler lock and then takes the hash table's maintenance lock; the thread that grows the table holds
/// the maintenance lock and then pauses the other threads, which takes the crawler lock. A hash listing
/// sent while a growth is starting therefore deadlocks the two, and then every worker thread that waits
/// on either: the server stops answering, even <c>version</c>, until it is restarted. It happened in this
/// project's CI right after 200,000 items were loaded. A growth is due once <c>curr_items</c> exceeds
/// 1.5 x 2^<c>hash_power_level</c>; the server starts it at its next clock tick (once a second), and it
/// runs while <c>hash_is_expanding</c> is 1. Listing only when neither holds closes the window but for a
/// write crossing the threshold in the milliseconds between the check and the command.
/// </remarks>
public static class HashTableGrowth
{
    /// <summary>memcached's HASHPOWER_MAX: the table never grows past 2^32 buckets.</summary>
    private const int MaxHashPower = 32;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Whether general stats show a growth running or due. Servers that report neither statistic (not
    /// memcached's own build) are taken as settled.
    /// </summary>
    public static bool IsDueOrRunning(IReadOnlyList<KeyValuePair<string, string>> generalStats, out string state)
    {
        long? items = null;
        int? power = null;
        var expanding = false;
        foreach (var (name, value) in generalStats)
        {
            switch (name)
            {
                case "curr_items" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n):
                    items = n;
                    break;
                case "hash_power_level" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p):
                    power = p;
                    break;
                case "hash_is_expanding":
                    expanding = value != "0";
                    break;
            }
        }
        if (expanding)
        {
            state = $"hash table growing to 2^{power} buckets";
            return true;
        }
        if (items is { } count && power is { } level && level < MaxHashPower && count > (3L << level) / 2)
        {
            state = $"hash table growth due: {count} items in 2^{level} buckets";
            return true;
        }
        state = "hash table settled";
        return false;
    }

    /// <summary>
    /// Returns once the server's hash table is neither growing nor due to grow, re-reading general stats
    /// every 100 ms; throws a clear error when that takes longer than <paramref name="timeout"/>.
    /// <paramref name="freshStats"/> saves the first read when the caller has just read them.
    /// </summary>
    public static async Task WaitUntilSettledAsync(MemcachedConnection connection, IReadOnlyList<KeyValuePair<string, string>>? freshStats,
        TimeSpan timeout, IOperationSink diagnostics, CancellationToken cancellationToken)
    {
        freshStats ??= await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false);
        if (!IsDueOrRunning(freshStats, out var state))
            return;
        var server = connection.Endpoint;
        diagnostics.Verbose($"{server}: {state}; waiting for it to finish before 'metadump hash', which would deadlock the server if sent as a growth starts");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (waited.Elapsed > timeout)
                throw new MemcacheException(MemcacheErrorKind.Busy, "MemcacheHashTableGrowing",
                    $"Server {server}: {state} for {waited.Elapsed.TotalSeconds:0} s. Listing keys now with 'lru_crawler metadump hash' could deadlock memcached as its hash table starts growing, so nothing was listed. Retry when 'stats' shows hash_is_expanding 0 and curr_items at most 1.5 x 2^hash_power_level (a growth normally takes well under a second), or start memcached with a larger '-o hashpower=N'.",
                    server.ToString());
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            var stats = await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false);
            if (!IsDueOrRunning(stats, out state))
            {
                diagnostics.Verbose($"{server}: hash table settled after {waited.Elapsed.TotalMilliseconds:0} ms; listing");
                return;
            }
        }
    }
}
