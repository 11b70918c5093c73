namespace MemcacheOps.Engine.Dump;

/// <summary>What a <see cref="DataFileReader"/> may expect of its file.</summary>
public sealed class DataFileReadOptions
{
    public const int DefaultBufferSize = 1 << 20;

    /// <summary>1 GiB: memcached's largest configurable item size, far above its 1 MiB default.</summary>
    public const int DefaultMaxValueLength = 1 << 30;

    /// <summary>The largest value accepted; a longer length field is reported as corruption, not allocated.</summary>
    public int MaxValueLength { get; init; } = DefaultMaxValueLength;

    /// <summary>
    /// Records the file must hold (from a manifest). A file cut exactly at a record boundary is
    /// structurally valid, so only a known count (or size, or checksum) can reveal it.
    /// </summary>
    public long? ExpectedRecords { get; init; }

    /// <summary>Exact length the file must have (from a manifest).</summary>
    public long? ExpectedBytes { get; init; }

    /// <summary>Size of the pooled read buffer; it grows temporarily for records larger than this.</summary>
    public int BufferSize { get; init; } = DefaultBufferSize;
}
