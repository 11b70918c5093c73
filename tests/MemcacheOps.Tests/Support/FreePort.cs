using System.Net;
using System.Net.Sockets;

namespace MemcacheOps.Tests.Support;

/// <summary>Loopback ports for failure tests.</summary>
public static class FreePort
{
    /// <summary>An endpoint on 127.0.0.1 where nothing listens (connecting is refused).</summary>
    public static string Closed()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }
}
