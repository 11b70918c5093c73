namespace MemcacheOps.Engine.Connections;

/// <summary>
/// How connections to memcached are made: timeouts, buffer sizes, TLS and text-protocol authentication.
/// TLS and authentication are properties of the connection, so listing, pipelines and stats work the same
/// over any of them. A server string <c>tls://host:port</c> asks for TLS for that server alone;
/// <see cref="Tls"/> asks for it for every server.
/// </summary>
public sealed record ConnectionOptions
{
    public static readonly ConnectionOptions Default = new();

    /// <summary>How long establishing a connection may take: the TCP connection, and the TLS handshake when TLS is used.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a single read or write may wait for the server before the connection is declared dead.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Initial size of each connection's receive buffer; it grows for values larger than this.</summary>
    public int ReceiveBufferSize { get; init; } = 256 * 1024;

    /// <summary>Size of the socket-level send and receive buffers.</summary>
    public int SocketBufferSize { get; init; } = 1024 * 1024;

    /// <summary>Use TLS (1.2 or later) for every server, not only those written as <c>tls://host:port</c>.</summary>
    public bool Tls { get; init; }

    /// <summary>The name to validate the server's certificate against and to send as SNI; null: the host part of each server.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>A PEM file of CA certificates to trust instead of the system's store.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>A client certificate for mutual TLS: PEM (with <see cref="TlsClientKeyFile"/>, or with its key in the same file) or PFX/PKCS#12.</summary>
    public string? TlsClientCertificateFile { get; init; }

    /// <summary>The PEM private key of <see cref="TlsClientCertificateFile"/> when it is in a file of its own.</summary>
    public string? TlsClientKeyFile { get; init; }

    /// <summary>Accept any server certificate (test servers only: the connection is encrypted but not authenticated).</summary>
    public bool SkipCertificateCheck { get; init; }

    /// <summary>User and password for memcached's text-protocol authentication (<c>memcached -Y</c>); null: none.</summary>
    public MemcacheCredential? Credential { get; init; }

    /// <summary>True when connections to <paramref name="server"/> use TLS.</summary>
    public bool UsesTls(Endpoints.ServerEndpoint server) => Tls || server.Tls;
}
