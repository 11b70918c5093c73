namespace MemcacheOps.Engine;

/// <summary>What kind of failure an engine error is; front ends map it to an error category or exit code.</summary>
public enum MemcacheErrorKind
{
    InvalidArgument,
    ConnectionFailed,
    Timeout,
    NotMemcached,
    ProtocolError,
    ServerError,
    Unsupported,
    Busy,
    InvalidData,
    WriteFailed,
    ResourceUnavailable,
    /// <summary>Credentials were refused or do not grant the operation (cloud services, memcached -Y).</summary>
    AccessDenied,
    /// <summary>A server's TLS certificate was not accepted (untrusted, expired, for another name).</summary>
    CertificateInvalid,
}

/// <summary>
/// An engine failure with a stable id (for ErrorRecord ids and scripts), a kind, and a target
/// (server, file or key) so every message says what failed and where.
/// </summary>
public class MemcacheException : Exception
{
    public MemcacheException(MemcacheErrorKind kind, string errorId, string message, string? target = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        ErrorId = errorId;
        Target = target;
    }

    public MemcacheErrorKind Kind { get; }

    /// <summary>Stable identifier, e.g. MemcacheConnectionFailed; never localised, safe to match in scripts.</summary>
    public string ErrorId { get; }

    /// <summary>The server, file or key the error is about.</summary>
    public string? Target { get; }

    /// <summary>
    /// The same error (kind, id, target) with what to do next added, as the operation that failed knows
    /// it: a connection's error says what went wrong with the server, the export adds how to finish the dump.
    /// </summary>
    public MemcacheException WithAdvice(string advice) => new(Kind, ErrorId, Message + " " + advice, Target, this);
}
