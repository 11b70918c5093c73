namespace MemcacheOps.Engine.Dump;

/// <summary>
/// One record as read by <see cref="DataFileReader"/>. The spans point into the reader's buffer and
/// are valid only until the next read: copy what must outlive it.
/// </summary>
public readonly ref struct V0RecordView
{
    internal V0RecordView(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int expiry, uint flags, long offset)
    {
        Key = key;
        Value = value;
        Expiry = expiry;
        Flags = flags;
        Offset = offset;
    }

    public ReadOnlySpan<byte> Key { get; }

    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Absolute unix time in seconds; <see cref="V0Record.NeverExpires"/> (-1) means never.</summary>
    public int Expiry { get; }

    /// <summary>All 32 flag bits as stored (cachemover's own dumps keep only the low 16).</summary>
    public uint Flags { get; }

    /// <summary>Byte offset of the record's first byte in its file.</summary>
    public long Offset { get; }

    /// <summary>Bytes the record takes in the file.</summary>
    public int Size => V0Record.FixedOverhead + Key.Length + Value.Length;
}
