using System.Net;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Harness;

/// <summary>Server-side counters the harness reads around a run.</summary>
internal static class ServerStats
{
    /// <summary>User + system CPU seconds the server has used since it started.</summary>
    public static double Cpu(IPEndPoint server) => MemcachedText.Stat(server, "rusage_user") + MemcachedText.Stat(server, "rusage_system");
}
