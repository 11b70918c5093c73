using System.Buffers.Text;

namespace MemcacheOps.Testing;

/// <summary>Wire forms of reference items, written straight into caller buffers (no per-item allocation).</summary>
public static class DataSetCommands
{
    /// <summary>Upper bound of one <see cref="WriteMetaSet"/> command: header line, largest value, CRLF.</summary>
    public const int MaxMetaSetLength = 96 + ReferenceDataSet.MaxValueSize + 2;

    /// <summary>Writes <c>ms key:&lt;n&gt; &lt;len&gt; F&lt;flags&gt; T&lt;ttl&gt; q\r\n&lt;value&gt;\r\n</c>; returns the bytes written.</summary>
    public static int WriteMetaSet(long n, Span<byte> destination, int seed = ReferenceDataSet.DefaultSeed)
    {
        var size = ReferenceDataSet.ValueSize(n, seed);
        "ms "u8.CopyTo(destination);
        var w = 3;
        w += ReferenceDataSet.WriteKey(n, destination[w..]);
        destination[w++] = (byte)' ';
        w += Format(size, destination[w..]);
        " F"u8.CopyTo(destination[w..]);
        w += 2;
        w += Format(ReferenceDataSet.Flags(n), destination[w..]);
        " T"u8.CopyTo(destination[w..]);
        w += 2;
        w += Format(ReferenceDataSet.ExpirySeconds(n), destination[w..]);
        " q\r\n"u8.CopyTo(destination[w..]);
        w += 4;
        ReferenceDataSet.WriteValue(n, destination.Slice(w, size), seed);
        w += size;
        "\r\n"u8.CopyTo(destination[w..]);
        return w + 2;
    }

    private static int Format(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }
}
