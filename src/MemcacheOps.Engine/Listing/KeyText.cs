using System.Text;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Listing;

/// <summary>
/// How a key is shown to people: as text when it is valid UTF-8 without control characters,
/// otherwise in memcached's own percent-encoded form (as metadump prints it). The exact bytes are
/// always kept separately, so a binary key is displayed safely and still round-trips.
/// </summary>
public static class KeyText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Longest display form: every byte of a 250-byte key percent-encoded.</summary>
    public const int MaxDisplayLength = 3 * 256;

    /// <summary>True when the key can be shown as plain text.</summary>
    public static bool IsPrintable(ReadOnlySpan<byte> key)
    {
        foreach (var b in key)
        {
            if (b < 0x20 || b == 0x7F)
                return false;
        }
        if (System.Text.Unicode.Utf8.IsValid(key))
            return true;
        return false;
    }

    /// <summary>Writes the display form into <paramref name="destination"/>; returns the char count.</summary>
    public static int Format(ReadOnlySpan<byte> key, Span<char> destination, out bool isBinary)
    {
        isBinary = !IsPrintable(key);
        if (!isBinary)
            return StrictUtf8.GetChars(key, destination);
        Span<byte> encoded = stackalloc byte[MaxDisplayLength];
        var n = PercentEncoding.Encode(key[..Math.Min(key.Length, 256)], encoded);
        for (var i = 0; i < n; i++)
            destination[i] = (char)encoded[i];
        return n;
    }

    public static string ToDisplayString(ReadOnlySpan<byte> key, out bool isBinary)
    {
        Span<char> chars = stackalloc char[MaxDisplayLength];
        var n = Format(key, chars, out isBinary);
        return new string(chars[..n]);
    }

    /// <summary>The bytes of a key typed by a user: its UTF-8 encoding.</summary>
    public static byte[] FromUserText(string key) => Encoding.UTF8.GetBytes(key);
}
