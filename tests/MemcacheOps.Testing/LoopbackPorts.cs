using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MemcacheOps.Testing;

/// <summary>
/// Hands out free 127.0.0.1 ports, never the same one twice in a test run. Tests run in parallel: a
/// port one test uses as "nothing listens here" must not become another test's server, and two fake
/// HTTP servers in one process must not share a port (HttpListener would let both bind it).
/// </summary>
public static class LoopbackPorts
{
    private static readonly ConcurrentDictionary<int, byte> Given = new();

    public static int Take()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port;
            try
            {
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            finally
            {
                listener.Stop();
            }
            if (Given.TryAdd(port, 0))
                return port;
        }
        throw new InvalidOperationException("No unused loopback port found after 1000 tries.");
    }
}
