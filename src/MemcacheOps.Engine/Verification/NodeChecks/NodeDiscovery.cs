using System.Globalization;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// Learns what the checks must adapt to before they run: the version, the limits from <c>stats settings</c>
/// (item_size_max, slab sizes, CAS, flush_all), the clock from <c>stats</c>, whether meta commands and the
/// <c>me</c> debug command exist, and how many client flag bits an item keeps. Every probe only reads or
/// writes the run's own key; a refused stats group is noted, not an error (managed services refuse some).
/// </summary>
internal static class NodeDiscovery
{
    public const string Expected = "answers version and stats; its limits, clock and features are read so the checks adapt";

    public static async Task<NodeProfile> DiscoverAsync(NodeSession session, ServerInfo info, TestKeys keys, CancellationToken cancellationToken)
    {
        var general = await TryStatsAsync(session, StatsGroup.General, cancellationToken).ConfigureAwait(false);
        var settings = await TryStatsAsync(session, StatsGroup.Settings, cancellationToken).ConfigureAwait(false);
        var meta = await AnswersAsync(session, "mn", "MN", cancellationToken).ConfigureAwait(false);
        var debug = meta && await AnswersAsync(session, "me " + keys.Prefix + "discover", "EN", cancellationToken).ConfigureAwait(false);
        var flagBits = await FlagBitsAsync(session, keys, cancellationToken).ConfigureAwait(false);

        long? serverTime = null;
        TimeSpan? skew = null;
        if (general is { Stats: { } stats } && stats.Raw.ContainsKey("time"))
        {
            serverTime = stats.ServerTime.ToUnixTimeSeconds();
            skew = stats.ClockSkew;
        }
        var raw = settings?.Pairs;
        return new NodeProfile
        {
            VersionText = info.VersionText,
            Version = info.Version,
            MetaCommands = meta,
            MetaDebug = debug,
            SettingsKnown = raw is not null,
            ItemSizeMax = Long(raw, "item_size_max"),
            SlabChunkMax = Long(raw, "slab_chunk_max"),
            ChunkSize = (int)(Long(raw, "chunk_size") ?? 48),
            GrowthFactor = Double(raw, "growth_factor") ?? 1.25,
            CasEnabled = Text(raw, "cas_enabled") != "no",
            FlushEnabled = Text(raw, "flush_enabled") != "no",
            FlagBits = flagBits,
            ServerTime = serverTime,
            ClockSkew = skew,
        };
    }

    private sealed record StatsReply(IReadOnlyDictionary<string, string> Pairs, ServerStats? Stats);

    /// <summary>A stats group, or null when the server refuses it (ERROR or CLIENT_ERROR instead of STAT lines).</summary>
    private static async Task<StatsReply?> TryStatsAsync(NodeSession session, StatsGroup group, CancellationToken cancellationToken)
    {
        try
        {
            var before = DateTimeOffset.UtcNow;
            var pairs = await StatsReader.ReadAsync(session.Connection, group, cancellationToken).ConfigureAwait(false);
            var after = DateTimeOffset.UtcNow;
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in pairs)
                map[name] = value;
            var stats = group == StatsGroup.General ? ServerStats.FromPairs(session.Endpoint.ToString(), pairs, before + (after - before) / 2) : null;
            return new StatsReply(map, stats);
        }
        catch (MemcacheException ex) when (ex.ErrorId == "MemcacheStatsFailed")
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="command"/> is answered with <paramref name="reply"/>; any other one-line answer means no.</summary>
    private static async Task<bool> AnswersAsync(NodeSession session, string command, string reply, CancellationToken cancellationToken)
    {
        await session.SendLineAsync(command, cancellationToken).ConfigureAwait(false);
        return await session.ReadLineAsync(cancellationToken).ConfigureAwait(false) == reply;
    }

    /// <summary>Stores flags 2^32-1 on the run's own key and reads them back: 32 bits kept, 16 (old builds), or unknown.</summary>
    private static async Task<int?> FlagBitsAsync(NodeSession session, TestKeys keys, CancellationToken cancellationToken)
    {
        var key = keys.Key("discover:flags");
        await session.SendWithDataAsync(NodeCheckContext.StorageLine("set", key, 1, uint.MaxValue), "x"u8, cancellationToken).ConfigureAwait(false);
        if (await session.ReadLineAsync(cancellationToken).ConfigureAwait(false) != "STORED")
            return null;
        await session.SendLineAsync("get " + key, cancellationToken).ConfigureAwait(false);
        var header = await session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var parts = header.Split(' ');
        if (parts.Length < 4 || parts[0] != "VALUE" || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            return null;
        await session.ReadBlockAsync(length, cancellationToken).ConfigureAwait(false);
        if (await session.ReadLineAsync(cancellationToken).ConfigureAwait(false) != "END")
            return null;
        await session.SendLineAsync("delete " + key, cancellationToken).ConfigureAwait(false);
        if (await session.ReadLineAsync(cancellationToken).ConfigureAwait(false) == "DELETED")
            keys.Forget(key);
        return parts[2] switch
        {
            "4294967295" => 32,
            "65535" => 16,
            _ => null,
        };
    }

    private static string? Text(IReadOnlyDictionary<string, string>? pairs, string name) => pairs?.GetValueOrDefault(name);

    private static long? Long(IReadOnlyDictionary<string, string>? pairs, string name)
        => Text(pairs, name) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static double? Double(IReadOnlyDictionary<string, string>? pairs, string name)
        => Text(pairs, name) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
}
