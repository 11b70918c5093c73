using System.Globalization;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Stats;

/// <summary>Options of a stats query (Get-MemcacheStats / <c>memcacheops stats</c>).</summary>
public sealed record StatsOptions
{
    public required IReadOnlyList<ServerEndpoint> Servers { get; init; }
    public StatsGroup Group { get; init; } = StatsGroup.General;

    /// <summary>When set with <see cref="Count"/>, emit per-interval rates instead of one summary.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Number of rate samples; null with an interval means until cancelled.</summary>
    public int? Count { get; init; }

    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;
}

/// <summary>Reads stats from many servers in parallel; an unreachable server is an error for that server only.</summary>
public static class StatsService
{
    public static async Task RunAsync(StatsOptions options, IOperationSink sink, CancellationToken cancellationToken)
    {
        if (options.Servers.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoServer", "No server was given. Name at least one, e.g. 127.0.0.1:11211.");
        var tasks = options.Servers.Select(server => Task.Run(async () =>
        {
            try
            {
                if (options.Interval is { } interval)
                    await SampleServerAsync(server, options, interval, sink, cancellationToken).ConfigureAwait(false);
                else
                    await QueryServerAsync(server, options, sink, cancellationToken).ConfigureAwait(false);
            }
            catch (MemcacheException ex)
            {
                sink.Error(ex);
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static async Task QueryServerAsync(ServerEndpoint server, StatsOptions options, IOperationSink sink, CancellationToken cancellationToken)
    {
        var (connection, _) = await ServerProbe.ConnectAsync(server, options.Connection, cancellationToken).ConfigureAwait(false);
        using (connection)
        {
            var before = DateTimeOffset.UtcNow;
            var pairs = await StatsReader.ReadAsync(connection, options.Group, cancellationToken).ConfigureAwait(false);
            var after = DateTimeOffset.UtcNow;
            var name = server.ToString();
            foreach (var record in Shape(name, options.Group, pairs, before + (after - before) / 2))
                await sink.EmitAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Samples one server every <paramref name="interval"/> and emits the rates between consecutive readings.
    /// A reading that fails (the server died, froze, restarted, or answers too slowly) is an error for that
    /// server and sample, and does not end the sampling: the next sample opens a new connection, its reading
    /// becomes the new baseline, and rates resume one interval later (a restarted server's counters, which
    /// went backwards, count as zero). So a monitor left running follows a server through an outage, and
    /// the command still ends after -Count samples, each bounded by the interval plus the timeouts.
    /// </summary>
    private static async Task SampleServerAsync(ServerEndpoint server, StatsOptions options, TimeSpan interval, IOperationSink sink, CancellationToken cancellationToken)
    {
        if (interval <= TimeSpan.Zero)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidInterval", "The sampling interval must be positive.");
        var name = server.ToString();
        MemcachedConnection? connection = null;
        try
        {
            // The first reading is the baseline: a server that cannot be read at the start fails as without -Interval.
            connection = (await ServerProbe.ConnectAsync(server, options.Connection, cancellationToken).ConfigureAwait(false)).Connection;
            ServerStats? previous = await ReadGeneralAsync(connection, name, cancellationToken).ConfigureAwait(false);
            var previousAt = DateTimeOffset.UtcNow;
            for (var sample = 1; options.Count is null || sample <= options.Count; sample++)
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                ServerStats current;
                try
                {
                    connection ??= (await ServerProbe.ConnectAsync(server, options.Connection, cancellationToken).ConfigureAwait(false)).Connection;
                    current = await ReadGeneralAsync(connection, name, cancellationToken).ConfigureAwait(false);
                }
                catch (MemcacheException ex)
                {
                    connection?.Dispose();
                    connection = null;
                    previous = null;
                    sink.Error(new MemcacheException(ex.Kind, ex.ErrorId,
                        string.Create(CultureInfo.InvariantCulture, $"Sample {sample} of {name} failed: {ex.Message} Sampling goes on: the next sample connects again."),
                        name, ex));
                    continue;
                }
                var now = DateTimeOffset.UtcNow;
                if (previous is not null)
                    await sink.EmitAsync(Rates(name, sample, previous, current, now - previousAt, now), cancellationToken).ConfigureAwait(false);
                previous = current;
                previousAt = now;
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private static async Task<ServerStats> ReadGeneralAsync(MemcachedConnection connection, string name, CancellationToken cancellationToken)
    {
        var pairs = await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false);
        return ServerStats.FromPairs(name, pairs, DateTimeOffset.UtcNow);
    }

    /// <summary>Rates between two samples; counters that went backwards (a restart) count as zero.</summary>
    public static StatsSample Rates(string server, int sample, ServerStats before, ServerStats after, TimeSpan elapsed, DateTimeOffset at)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        double Rate(long a, long b) => Math.Max(0, b - a) / seconds;
        var hits = Math.Max(0, after.GetHits - before.GetHits);
        var misses = Math.Max(0, after.GetMisses - before.GetMisses);
        return new StatsSample
        {
            Server = server,
            Sample = sample,
            Timestamp = at,
            Interval = elapsed,
            GetsPerSecond = Math.Round(Rate(before.CmdGet, after.CmdGet), 1),
            SetsPerSecond = Math.Round(Rate(before.CmdSet, after.CmdSet), 1),
            HitRatio = hits + misses > 0 ? Math.Round((double)hits / (hits + misses), 4) : null,
            EvictionsPerSecond = Math.Round(Rate(before.Evictions, after.Evictions), 1),
            BytesReadPerSecond = Math.Round(Rate(before.BytesRead, after.BytesRead), 1),
            BytesWrittenPerSecond = Math.Round(Rate(before.BytesWritten, after.BytesWritten), 1),
            CurrentItems = after.CurrentItems,
            CurrentConnections = after.CurrentConnections,
            MemoryUsedPercent = after.MemoryUsedPercent,
        };
    }

    /// <summary>Turns raw pairs into the typed records of a group.</summary>
    public static IEnumerable<object> Shape(string server, StatsGroup group, IReadOnlyList<KeyValuePair<string, string>> pairs, DateTimeOffset localMidpoint)
    {
        switch (group)
        {
            case StatsGroup.General:
                return [ServerStats.FromPairs(server, pairs, localMidpoint)];
            case StatsGroup.Settings:
                return [Settings(server, pairs)];
            case StatsGroup.Slabs:
                return PerClass(pairs, "").Select(c => (object)new SlabClassStats
                {
                    Server = server,
                    ClassId = c.Key,
                    ChunkSize = ServerStats.Long(c.Value, "chunk_size"),
                    ChunksPerPage = ServerStats.Long(c.Value, "chunks_per_page"),
                    TotalPages = ServerStats.Long(c.Value, "total_pages"),
                    TotalChunks = ServerStats.Long(c.Value, "total_chunks"),
                    UsedChunks = ServerStats.Long(c.Value, "used_chunks"),
                    FreeChunks = ServerStats.Long(c.Value, "free_chunks"),
                    GetHits = ServerStats.Long(c.Value, "get_hits"),
                    CmdSet = ServerStats.Long(c.Value, "cmd_set"),
                    Raw = c.Value,
                }).ToList();
            case StatsGroup.Items:
                return PerClass(pairs, "items:").Select(c => (object)new ItemClassStats
                {
                    Server = server,
                    ClassId = c.Key,
                    Number = ServerStats.Long(c.Value, "number"),
                    NumberHot = ServerStats.Long(c.Value, "number_hot"),
                    NumberWarm = ServerStats.Long(c.Value, "number_warm"),
                    NumberCold = ServerStats.Long(c.Value, "number_cold"),
                    Age = TimeSpan.FromSeconds(ServerStats.Long(c.Value, "age")),
                    Evicted = ServerStats.Long(c.Value, "evicted"),
                    OutOfMemory = ServerStats.Long(c.Value, "outofmemory"),
                    ExpiredUnfetched = ServerStats.Long(c.Value, "expired_unfetched"),
                    EvictedUnfetched = ServerStats.Long(c.Value, "evicted_unfetched"),
                    Raw = c.Value,
                }).ToList();
            case StatsGroup.Conns:
                return PerClass(pairs, "").Select(c => (object)new ConnectionStats
                {
                    Server = server,
                    Descriptor = c.Key,
                    Address = c.Value.GetValueOrDefault("addr", string.Empty),
                    ListenAddress = c.Value.GetValueOrDefault("listen_addr", string.Empty),
                    State = c.Value.GetValueOrDefault("state", string.Empty),
                    SecondsSinceLastCommand = ServerStats.Long(c.Value, "secs_since_last_cmd"),
                }).ToList();
            default:
                throw new ArgumentOutOfRangeException(nameof(group));
        }
    }

    /// <summary>memcached's default <c>-I</c>: the largest item when a server does not say.</summary>
    public const long DefaultItemSizeMax = 1024 * 1024;

    /// <summary>
    /// Reads <c>stats settings</c> of a server (import and move need <c>item_size_max</c>). A server that
    /// refuses it (ElastiCache Serverless answers only <c>stats</c> and <c>stats reset</c>) is taken to have
    /// memcached's defaults: 1 MiB items, CAS on; <see cref="ServerSettings.Raw"/> is then empty.
    /// </summary>
    public static async Task<ServerSettings> ReadSettingsAsync(MemcachedConnection connection, CancellationToken cancellationToken)
    {
        var pairs = await StatsReader.TryReadAsync(connection, StatsGroup.Settings, cancellationToken).ConfigureAwait(false);
        return Settings(connection.Endpoint.ToString(), pairs ?? []);
    }

    private static ServerSettings Settings(string server, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        var raw = pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new ServerSettings
        {
            Server = server,
            Raw = raw,
            MaxBytes = ServerStats.Long(raw, "maxbytes"),
            MaxConnections = ServerStats.Long(raw, "maxconns"),
            Threads = (int)ServerStats.Long(raw, "num_threads"),
            ItemSizeMax = raw.ContainsKey("item_size_max") ? ServerStats.Long(raw, "item_size_max") : DefaultItemSizeMax,
            LruCrawler = raw.GetValueOrDefault("lru_crawler") == "yes",
            DumpEnabled = raw.GetValueOrDefault("dump_enabled", "yes") == "yes",
            CasEnabled = raw.GetValueOrDefault("cas_enabled", "yes") == "yes",
        };
    }

    /// <summary>Groups "&lt;prefix&gt;&lt;id&gt;:&lt;field&gt;" pairs by id; pairs without an id (totals) are skipped.</summary>
    private static SortedDictionary<int, Dictionary<string, string>> PerClass(IReadOnlyList<KeyValuePair<string, string>> pairs, string prefix)
    {
        var result = new SortedDictionary<int, Dictionary<string, string>>();
        foreach (var (name, value) in pairs)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            var rest = name.AsSpan(prefix.Length);
            var colon = rest.IndexOf(':');
            if (colon <= 0 || !int.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                continue;
            if (!result.TryGetValue(id, out var fields))
                result[id] = fields = new Dictionary<string, string>(StringComparer.Ordinal);
            fields[rest[(colon + 1)..].ToString()] = value;
        }
        return result;
    }
}
