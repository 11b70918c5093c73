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
    public static bool IsDueOrRunning(ServerStats generalStats, out string state)
    {
        var table = TableState.From(generalStats);
        state = table.Describe();
        return table.DueOrRunning;
    }

    /// <summary>
    /// Returns once the server's hash table is neither growing nor due to grow, re-reading general stats
    /// every 100 ms. A growth that has started is waited for up to <see cref="ListingOptions.BusyTimeout"/>,
    /// then this throws a clear error. A growth that stays due without starting for
    /// <see cref="ListingOptions.GrowthStartTimeout"/> is one the server does not do (<c>-o no_hashexpand</c>,
    /// no thread to deadlock with): this then returns with a warning. <paramref name="freshStats"/> saves
    /// the first read when the caller has just read them.
    /// </summary>
    public static async Task WaitUntilSettledAsync(MemcachedConnection connection, ServerStats? freshStats,
        ListingOptions options, IOperationSink diagnostics, CancellationToken cancellationToken)
    {
        var first = TableState.From(freshStats ?? await ReadAsync(connection, cancellationToken).ConfigureAwait(false));
        if (!first.DueOrRunning)
            return;
        var server = connection.Endpoint;
        diagnostics.Verbose($"{server}: {first.Describe()}; waiting for it to finish before 'metadump hash', which would deadlock the server if sent as a growth starts");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var table = first;
        var started = first.Expanding;
        while (true)
        {
            if (!started && waited.Elapsed > options.GrowthStartTimeout)
            {
                diagnostics.Warning($"{server}: {table.Describe()} for {waited.Elapsed.TotalSeconds:0} s, and the growth has not started: the server was probably started with '-o no_hashexpand', so there is no growth to wait for. Listing anyway.");
                return;
            }
            if (started && waited.Elapsed > options.BusyTimeout)
                throw new MemcacheException(MemcacheErrorKind.Busy, "MemcacheHashTableGrowing",
                    $"Server {server}: {table.Describe()} for {waited.Elapsed.TotalSeconds:0} s. Listing keys now with 'lru_crawler metadump hash' could deadlock memcached as a growth of its hash table starts, so nothing was listed. Retry when 'stats' shows hash_is_expanding 0 and curr_items at most 1.5 x 2^hash_power_level (a growth normally takes well under a second), or start memcached with a larger '-o hashpower=N'.",
                    server.ToString());
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            table = TableState.From(await ReadAsync(connection, cancellationToken).ConfigureAwait(false));
            if (!table.DueOrRunning)
            {
                diagnostics.Verbose($"{server}: hash table settled after {waited.Elapsed.TotalMilliseconds:0} ms; listing");
                return;
            }
            started |= table.Expanding || table.Power != first.Power;
        }
    }

    private static async Task<ServerStats> ReadAsync(MemcachedConnection connection, CancellationToken cancellationToken)
    {
        var pairs = await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false);
        return ServerStats.FromPairs(connection.Endpoint.ToString(), pairs, DateTimeOffset.UtcNow);
    }

    /// <summary>The three general statistics that tell whether the hash table grows or is due to.</summary>
    private readonly record struct TableState(long? Items, int? Power, bool Expanding)
    {
        public bool Due => Items is { } count && Power is { } level && level < MaxHashPower && count > (3L << level) / 2;

        public bool DueOrRunning => Expanding || Due;

        public string Describe() => Expanding ? $"hash table growing to 2^{Power} buckets"
            : Due ? $"hash table growth due: {Items} items in 2^{Power} buckets"
            : "hash table settled";

        public static TableState From(ServerStats stats)
        {
            var raw = stats.Raw;
            return new TableState(
                raw.ContainsKey("curr_items") ? stats.CurrentItems : null,
                raw.ContainsKey("hash_power_level") ? (int)ServerStats.Long(raw, "hash_power_level") : null,
                raw.TryGetValue("hash_is_expanding", out var expanding) && expanding != "0");
        }
    }
}
