namespace MemcacheOps.Engine.Listing;

/// <summary>One item found by a key listing (Get-MemcacheKeys output).</summary>
public sealed class MemcacheKeyInfo
{
    public required string Server { get; init; }

    /// <summary>The key for display: text, or percent-encoded when <see cref="IsBinaryKey"/>.</summary>
    public required string Key { get; init; }

    /// <summary>The exact key bytes; use these to address the item.</summary>
    public required byte[] KeyBytes { get; init; }

    /// <summary>True when the key is not printable UTF-8 and <see cref="Key"/> shows it percent-encoded.</summary>
    public bool IsBinaryKey { get; init; }

    /// <summary>When the item expires (UTC), or null when it never expires.</summary>
    public DateTimeOffset? Expiration { get; init; }

    public DateTimeOffset? LastAccess { get; init; }
    public ulong Cas { get; init; }

    /// <summary>Whether the item was ever read.</summary>
    public bool Fetched { get; init; }

    public int SlabClass { get; init; }

    /// <summary>Item size in server memory (header, key and value), as the listing reports it.</summary>
    public long Size { get; init; }

    public override string ToString() => Key;
}
