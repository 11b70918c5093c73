using MemcacheOps.Engine.Connections;

namespace MemcacheOps.Engine.Stats;

/// <summary>
/// Which run of a memcached a connection reaches: its pid and the moment it started (its clock minus its
/// uptime, which memcached keeps constant for the life of the process). A server that restarted has lost
/// every item it held (memcached keeps nothing across a restart unless run with a warm-restart file), so
/// an operation that reconnects, or resumes, compares the identities to say so.
/// </summary>
public readonly record struct ServerIdentity(long Pid, DateTimeOffset StartedAt)
{
    /// <summary>Start times this close are the same run: memcached's clock has whole seconds.</summary>
    private static readonly TimeSpan StartTolerance = TimeSpan.FromSeconds(2);

    public static ServerIdentity Of(ServerStats stats) => new(stats.Pid, stats.ServerTime - stats.Uptime);

    /// <summary>Reads <c>stats</c> on <paramref name="connection"/> and returns the server's identity.</summary>
    public static async Task<ServerIdentity> ReadAsync(MemcachedConnection connection, CancellationToken cancellationToken)
    {
        var pairs = await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false);
        return Of(ServerStats.FromPairs(connection.Endpoint.ToString(), pairs, DateTimeOffset.UtcNow));
    }

    /// <summary>True when this is another run of the server than <paramref name="earlier"/> (unknown fields, 0, are not compared).</summary>
    public bool IsRestartOf(ServerIdentity earlier)
        => (Pid != 0 && earlier.Pid != 0 && Pid != earlier.Pid)
           || (StartedAt.ToUnixTimeSeconds() != 0 && earlier.StartedAt.ToUnixTimeSeconds() != 0 && (StartedAt - earlier.StartedAt).Duration() > StartTolerance);
}
