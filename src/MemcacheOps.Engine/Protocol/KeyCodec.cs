using System.Buffers.Text;

namespace MemcacheOps.Engine.Protocol;

/// <summary>
/// Key rules of memcached's meta protocol: a key token is at most 250 bytes and may not contain
/// bytes that split or end a command line. Keys that break those rules travel base64-encoded with
/// the <c>b</c> flag, which limits them to 186 raw bytes (248 base64 characters).
/// </summary>
public static class KeyCodec
{
    public const int MaxKeyLength = 250;
    public const int MaxBinaryKeyLength = 186;

    /// <summary>True when the key cannot be sent as a plain token (control bytes, space, DEL, or too long).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool NeedsBase64(ReadOnlySpan<byte> key)
    {
        if (key.Length > MaxKeyLength)
            return true;
        foreach (var b in key)
        {
            if (b <= 0x20 || b == 0x7F)
                return true;
        }
        return false;
    }

    /// <summary>True when memcached can address this key at all (plainly or through base64).</summary>
    public static bool IsAddressable(ReadOnlySpan<byte> key)
        => key.Length > 0 && (key.Length <= MaxKeyLength && !NeedsBase64(key) || key.Length <= MaxBinaryKeyLength);

    /// <summary>Explains why a key cannot be addressed, or returns null when it can.</summary>
    public static string? WhyNotAddressable(ReadOnlySpan<byte> key)
    {
        if (key.Length == 0)
            return "the key is empty";
        if (IsAddressable(key))
            return null;
        return NeedsBase64(key) && key.Length <= MaxKeyLength
            ? $"the key has {key.Length} bytes including bytes that need base64, which allows at most {MaxBinaryKeyLength}"
            : $"the key has {key.Length} bytes; memcached allows at most {MaxKeyLength}";
    }

    /// <summary>Writes the key token (plain or base64) and reports whether the <c>b</c> flag is needed.</summary>
    public static bool WriteKeyToken(PooledBufferWriter writer, ReadOnlySpan<byte> key)
    {
        if (!NeedsBase64(key))
        {
            writer.Write(key);
            return false;
        }
        var span = writer.GetSpan(Base64.GetMaxEncodedToUtf8Length(key.Length));
        Base64.EncodeToUtf8(key, span, out _, out var written);
        writer.Advance(written);
        return true;
    }
}
