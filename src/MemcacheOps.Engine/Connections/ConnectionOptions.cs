namespace MemcacheOps.Engine.Connections;

/// <summary>Timeouts and buffer sizes for connections to memcached.</summary>
public sealed record ConnectionOptions
{
    public static readonly ConnectionOptions Default = new();

    /// <summary>How long establishing a TCP connection may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a single read or write may wait for the server before the connection is declared dead.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Initial size of each connection's receive buffer; it grows for values larger than this.</summary>
    public int ReceiveBufferSize { get; init; } = 256 * 1024;

    /// <summary>Size of the socket-level send and receive buffers.</summary>
    public int SocketBufferSize { get; init; } = 1024 * 1024;
}
