using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Listing;

/// <summary>
/// Walks a buffer of whole <c>lru_crawler metadump</c> lines (each ending with \n; the last may lack it):
/// the one step every consumer of a listing shares, so they differ only in what they do with a key.
/// </summary>
public static class MetadumpLines
{
    /// <summary>
    /// Reads lines from <paramref name="position"/> until one is an item line whose key decodes, and
    /// returns it: the entry and its key's bytes, decoded into <paramref name="keyBuffer"/> (at least
    /// <see cref="KeyText.MaxDisplayLength"/> bytes). Other lines (END, malformed keys) are skipped.
    /// False when the buffer is used up. <paramref name="position"/> is left after the line returned.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryReadNext(ReadOnlySpan<byte> lines, ref int position, Span<byte> keyBuffer,
        out MetadumpEntry entry, out ReadOnlySpan<byte> key)
    {
        while (position < lines.Length)
        {
            var rest = lines[position..];
            var newline = rest.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..newline];
            position += newline < 0 ? rest.Length : newline + 1;
            if (!MetadumpEntry.TryParse(line, out entry))
                continue;
            var length = PercentEncoding.Decode(entry.EncodedKey, keyBuffer);
            if (length <= 0)
                continue;
            key = keyBuffer[..length];
            return true;
        }
        entry = default;
        key = default;
        return false;
    }
}
