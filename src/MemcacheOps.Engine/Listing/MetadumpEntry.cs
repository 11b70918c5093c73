using System.Buffers.Text;

namespace MemcacheOps.Engine.Listing;

/// <summary>
/// One line of <c>lru_crawler metadump</c> output, parsed in place:
/// <c>key=&lt;uri-encoded&gt; exp=&lt;abs unix|-1&gt; la=&lt;abs unix&gt; cas=&lt;n&gt; fetch=yes|no cls=&lt;id&gt; size=&lt;total item bytes&gt;</c>.
/// Unknown fields (newer servers add <c>flags=</c>) are tolerated.
/// </summary>
public ref struct MetadumpEntry
{
    /// <summary>The key as the server printed it (percent-encoded).</summary>
    public ReadOnlySpan<byte> EncodedKey;

    /// <summary>Absolute unix expiry time, or -1 for never.</summary>
    public long Expiry;

    public long LastAccess;
    public ulong Cas;
    public bool Fetched;
    public int SlabClass;

    /// <summary>Total item size in server memory (header + key + value), not the value length.</summary>
    public long Size;

    /// <summary>Client flags when the server reports them (memcached 1.6.24 and later).</summary>
    public uint? ClientFlags;

    /// <summary>Parses one line without its trailing newline; false when it is not a metadump item line.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<byte> line, out MetadumpEntry entry)
    {
        entry = default;
        entry.Expiry = -1;
        if (!line.StartsWith("key="u8))
            return false;
        var hasKey = false;
        while (!line.IsEmpty)
        {
            var space = line.IndexOf((byte)' ');
            var token = space < 0 ? line : line[..space];
            line = space < 0 ? default : line[(space + 1)..];
            var eq = token.IndexOf((byte)'=');
            if (eq <= 0)
                continue;
            var name = token[..eq];
            var value = token[(eq + 1)..];
            switch (name.Length)
            {
                case 3 when name.SequenceEqual("key"u8):
                    entry.EncodedKey = value;
                    hasKey = value.Length > 0;
                    break;
                case 3 when name.SequenceEqual("exp"u8):
                    _ = Utf8Parser.TryParse(value, out entry.Expiry, out _);
                    break;
                case 2 when name.SequenceEqual("la"u8):
                    _ = Utf8Parser.TryParse(value, out entry.LastAccess, out _);
                    break;
                case 3 when name.SequenceEqual("cas"u8):
                    _ = Utf8Parser.TryParse(value, out entry.Cas, out _);
                    break;
                case 5 when name.SequenceEqual("fetch"u8):
                    entry.Fetched = value.SequenceEqual("yes"u8);
                    break;
                case 3 when name.SequenceEqual("cls"u8):
                    _ = Utf8Parser.TryParse(value, out entry.SlabClass, out _);
                    break;
                case 4 when name.SequenceEqual("size"u8):
                    _ = Utf8Parser.TryParse(value, out entry.Size, out _);
                    break;
                case 5 when name.SequenceEqual("flags"u8):
                    if (Utf8Parser.TryParse(value, out uint flags, out _))
                        entry.ClientFlags = flags;
                    break;
            }
        }
        return hasKey;
    }
}
