
namespace MemcacheOps.Tests.Support;

/// <summary>Loopback ports for failure tests.</summary>
public static class FreePort
{
    /// <summary>An endpoint on 127.0.0.1 where nothing listens (connecting is refused).</summary>
    public static string Closed() => $"127.0.0.1:{MemcacheOps.Testing.LoopbackPorts.Take()}";
}
