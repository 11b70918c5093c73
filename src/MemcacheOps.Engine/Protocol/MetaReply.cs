namespace MemcacheOps.Engine.Protocol;

/// <summary>The reply codes of memcached's meta protocol (and the error lines any command can get).</summary>
public enum MetaReplyKind : byte
{
    /// <summary>VA: a hit with a data block.</summary>
    Value,
    /// <summary>HD: success without a value.</summary>
    Header,
    /// <summary>EN: mg miss.</summary>
    Miss,
    /// <summary>NS: not stored (add/replace condition failed).</summary>
    NotStored,
    /// <summary>EX: CAS mismatch.</summary>
    Exists,
    /// <summary>NF: not found.</summary>
    NotFound,
    /// <summary>MN: reply to mn, the end of a pipelined batch.</summary>
    NoOp,
    ClientError,
    ServerError,
    Error,
}

/// <summary>
/// One parsed meta reply header. Offsets refer to the span the parser was given, so nothing is
/// allocated; read them before the connection buffer is consumed.
/// </summary>
public struct MetaReply
{
    public MetaReplyKind Kind;

    /// <summary>Bytes of the header line including its line ending.</summary>
    public int HeaderLength;

    /// <summary>Length of the data block of a VA reply (without its trailing \r\n).</summary>
    public int ValueLength;

    public bool HasClientFlags;
    public uint ClientFlags;

    public bool HasTtl;

    /// <summary>Remaining TTL in seconds; -1 means never expires.</summary>
    public long Ttl;

    public bool HasCas;
    public ulong Cas;

    /// <summary>Value length reported by the <c>s</c> flag (mg without <c>v</c> still reports it).</summary>
    public bool HasSize;
    public long Size;

    public bool HasOpaque;
    public long Opaque;

    public int KeyOffset;
    public int KeyLength;
    public bool KeyIsBase64;

    /// <summary>Offset and length of the text after CLIENT_ERROR / SERVER_ERROR / ERROR.</summary>
    public int MessageOffset;
    public int MessageLength;

    /// <summary>Bytes this reply occupies in the stream, including the data block and its \r\n.</summary>
    public readonly int TotalLength => Kind == MetaReplyKind.Value ? HeaderLength + ValueLength + 2 : HeaderLength;

    public readonly bool IsError => Kind is MetaReplyKind.ClientError or MetaReplyKind.ServerError or MetaReplyKind.Error;
}
