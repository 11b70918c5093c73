namespace MemcacheOps.Engine.Protocol;

/// <summary>
/// The URI encoding memcached uses for keys in <c>lru_crawler metadump</c> and <c>watch</c> output:
/// bytes outside <c>[A-Za-z0-9-._~]</c> appear as <c>%XX</c> (uppercase hex).
/// </summary>
public static class PercentEncoding
{
    /// <summary>Decodes <paramref name="source"/> into <paramref name="destination"/>; returns the byte count or -1 when malformed.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var w = 0;
        for (var i = 0; i < source.Length; i++)
        {
            var b = source[i];
            if (b == (byte)'%')
            {
                if (i + 2 >= source.Length)
                    return -1;
                var hi = Hex(source[i + 1]);
                var lo = Hex(source[i + 2]);
                if ((hi | lo) < 0)
                    return -1;
                b = (byte)((hi << 4) | lo);
                i += 2;
            }
            if (w >= destination.Length)
                return -1;
            destination[w++] = b;
        }
        return w;
    }

    /// <summary>True for the bytes memcached leaves unencoded.</summary>
    public static bool IsUnreserved(byte b)
        => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';

    /// <summary>Encodes like memcached does; returns the byte count written.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var w = 0;
        foreach (var b in source)
        {
            if (IsUnreserved(b))
            {
                destination[w++] = b;
            }
            else
            {
                destination[w++] = (byte)'%';
                destination[w++] = HexDigit(b >> 4);
                destination[w++] = HexDigit(b & 0xF);
            }
        }
        return w;
    }

    public static string EncodeToString(ReadOnlySpan<byte> source)
    {
        Span<byte> buffer = source.Length <= 256 ? stackalloc byte[source.Length * 3] : new byte[source.Length * 3];
        var n = Encode(source, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..n]);
    }

    private static byte HexDigit(int v) => (byte)(v < 10 ? '0' + v : 'A' + v - 10);

    private static int Hex(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };
}
