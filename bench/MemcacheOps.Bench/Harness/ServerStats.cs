using System.Globalization;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Harness;

/// <summary>Reads single numbers from a server's <c>stats</c>.</summary>
internal static class ServerStats
{
    public static double Read(MemcachedProcess server, string name)
    {
        var marker = "STAT " + name + " ";
        var stats = server.Send("stats\r\n", "END\r\n");
        var at = stats.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
            throw new InvalidOperationException($"{server} has no '{name}' in stats.");
        at += marker.Length;
        return double.Parse(stats.AsSpan(at, stats.IndexOf('\r', at) - at), CultureInfo.InvariantCulture);
    }

    /// <summary>User + system CPU seconds the server has used since it started.</summary>
    public static double Cpu(MemcachedProcess server) => Read(server, "rusage_user") + Read(server, "rusage_system");
}
