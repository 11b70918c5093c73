using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// What a dump holds, by key, for lookups: built once by reading every data file. Each entry keeps
/// a 128-bit SHA-256 of the key (not the key itself) and of the value, the value's length, flags and
/// absolute expiry: about 60 bytes per key whatever the key and value sizes, so memory is proportional
/// to the number of (sampled) keys in the dump. When a key appears twice the later record wins, as it
/// would when the dump is imported.
/// </summary>
internal sealed class DumpIndex
{
    private readonly Dictionary<UInt128, Entry> _entries;

    private DumpIndex(Dictionary<UInt128, Entry> entries, long duplicates)
    {
        _entries = entries;
        Duplicates = duplicates;
    }

    public int Count => _entries.Count;

    /// <summary>Records whose key had already appeared earlier in the dump.</summary>
    public long Duplicates { get; }

    public static DumpIndex Build(IReadOnlyList<DumpDataFile> files, SampleFilter sample, Action<long, long>? progress, CancellationToken cancellationToken)
    {
        var entries = new Dictionary<UInt128, Entry>();
        long duplicates = 0;
        foreach (var file in files)
        {
            using var reader = file.OpenReader();
            long items = 0, bytes = 0;
            while (reader.TryReadNext(out var record))
            {
                if (++items % 4096 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Invoke(items, bytes);
                    items = bytes = 0;
                }
                bytes += record.Value.Length;
                if (!sample.Includes(record.Key))
                    continue;
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(entries, KeyId(record.Key), out var exists);
                if (exists)
                    duplicates++;
                slot = new Entry(ItemRecord.DigestOf(record.Value), record.Value.Length, record.Flags, record.Expiry);
            }
            progress?.Invoke(items, bytes);
        }
        return new DumpIndex(entries, duplicates);
    }

    /// <summary>Fills <paramref name="record"/> for <paramref name="key"/>; absent when the dump lacks it or it has expired by <paramref name="nowUnix"/>.</summary>
    public void Lookup(ReadOnlySpan<byte> key, long nowUnix, ref ItemRecord record)
    {
        record = default;
        if (!_entries.TryGetValue(KeyId(key), out var entry))
            return;
        if (!ItemRecord.TryGetTtl(entry.Expiry, nowUnix, out var ttl))
            return;
        record.Present = true;
        record.HasDigest = true;
        record.Digest = entry.Digest;
        record.Size = entry.Size;
        record.Flags = entry.Flags;
        record.Ttl = ttl;
    }

    private static UInt128 KeyId(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key, hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    private readonly record struct Entry(UInt128 Digest, int Size, uint Flags, int Expiry);
}
