using System.Runtime.CompilerServices;

namespace MemcacheOps.Engine.Move;

/// <summary>How a listed key compares with what the move last did with it.</summary>
internal enum KeyChange
{
    /// <summary>The destination holds exactly the version listed: nothing to do.</summary>
    Unchanged,
    /// <summary>Never copied (or the copy is gone): write it with the move's mode.</summary>
    New,
    /// <summary>The destination holds an older version: overwrite it (Set).</summary>
    Changed,
}

/// <summary>What a fetch learned that the listing could not know, applied after the pass's copy.</summary>
internal enum CorrectionKind : byte
{
    /// <summary>The key changed between listing and fetch: the version written has this CAS.</summary>
    FetchedNewer,
    /// <summary>The key was gone (or about to expire) when fetched: nothing was written.</summary>
    NotWritten,
    /// <summary>Larger than the destination's item_size_max: not written, and not retried while unchanged.</summary>
    Unwritable,
}

/// <param name="Destination">The destination the key is copied to: which of the source's maps holds it (<see cref="SourceState.Keys"/>).</param>
/// <param name="Expiry">For a version the fetch saw: its absolute expiry from the remaining TTL (-1 never), on this host's clock.</param>
internal readonly record struct KeyCorrection(int Destination, UInt128 Id, ulong Cas, long Expiry, CorrectionKind Kind, bool WasOnDestination);

/// <summary>
/// What the move knows about every key it copies from one source to one destination: the CAS of the version the
/// destination holds, the key's expiry, and the last listing that saw it. Keys are identified by their
/// MD5 digest (<see cref="KeyIdentity"/>), so a slot costs 33 bytes (16 identity + 16 state + 1) whatever
/// the key length, in a table kept between 3/8 and 3/4 full: memory grows with the number of keys moved,
/// 44 to 88 bytes per key (10 million keys: 440 to 880 MB). Only the source's pass task touches a map, so it needs no lock; fetch results arrive as <see cref="KeyCorrection"/>s.
/// <para>
/// Because memcached gives every new version of an item a new, larger CAS (and a delete followed by a
/// new store a new CAS too), "same CAS as when copied" means "the destination holds this very version".
/// A touch (<c>touch</c>, <c>gat</c>, <c>mg T</c>) changes the expiry but not the CAS, so the listed
/// expiry is compared too; an expiry learned from a fetch (a remaining TTL turned into a time on this
/// host's clock) is only approximate and is replaced by the next listing's without counting as a change.
/// </para>
/// </summary>
internal sealed class KeyStateMap
{
    private const uint ListingMask = 0x0FFF_FFFF;
    private const uint OnDestinationBit = 1u << 28;  // the destination holds some version written by the move
    private const uint CurrentBit = 1u << 29;        // ... and it is the version with Cas
    private const uint UnwritableBit = 1u << 30;     // the version with Cas cannot be written (too large)
    private const uint FetchedExpiryBit = 1u << 31;  // Expiry came from a fetch (local clock, +-1 s), not from a listing

    private readonly IdentityTable<Entry> _entries = new();

    /// <summary>The largest listing number an entry can record.</summary>
    public const int MaxListing = (int)ListingMask;

    public int Count => _entries.Count;

    /// <summary>
    /// Records that listing <paramref name="listing"/> saw a key and says what to do with it. Keys to
    /// copy are marked as held by the destination right away (optimistically); the fetch corrects the
    /// few exceptions afterwards. <paramref name="wasOnDestination"/> is the state before, for those corrections.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public KeyChange Observe(UInt128 id, ulong cas, long expiry, int listing, out bool wasOnDestination)
    {
        ref var entry = ref _entries.GetOrAdd(id, out var exists);
        var state = exists ? entry.State : 0;
        wasOnDestination = (state & OnDestinationBit) != 0;
        var listedExpiry = ToExpiry(expiry);
        var sameVersion = exists && entry.Cas == cas && ((state & FetchedExpiryBit) != 0 || entry.Expiry == listedExpiry);
        entry.Expiry = listedExpiry;
        if (sameVersion && (state & (CurrentBit | UnwritableBit)) != 0)
        {
            entry.State = (state & ~(ListingMask | FetchedExpiryBit)) | (uint)listing;
            return KeyChange.Unchanged;
        }
        entry.Cas = cas;
        entry.State = OnDestinationBit | CurrentBit | (uint)listing;
        return wasOnDestination ? KeyChange.Changed : KeyChange.New;
    }

    public void Apply(in KeyCorrection correction)
    {
        ref var entry = ref _entries.Find(correction.Id);
        if (Unsafe.IsNullRef(ref entry))
            return;
        var listing = entry.State & ListingMask;
        var onDestination = correction.WasOnDestination ? OnDestinationBit : 0;
        switch (correction.Kind)
        {
            case CorrectionKind.FetchedNewer:
                entry.Cas = correction.Cas;
                entry.Expiry = ToExpiry(correction.Expiry);
                entry.State |= FetchedExpiryBit;
                break;
            case CorrectionKind.NotWritten:
                // Whatever the destination had before is still there, and it is not the listed version.
                entry.State = onDestination | listing;
                break;
            case CorrectionKind.Unwritable:
                entry.Cas = correction.Cas;
                entry.Expiry = ToExpiry(correction.Expiry);
                entry.State = onDestination | UnwritableBit | FetchedExpiryBit | listing;
                break;
        }
    }

    /// <summary>
    /// After a pass's listing: handles keys it did not see. Expired ones are forgotten (the destination's
    /// copy, written with the same TTL, expires too). Keys the destination holds are passed to
    /// <paramref name="onVanished"/> and forgotten when it returns true (deleted there), otherwise kept
    /// as a known difference; keys it never got are forgotten.
    /// </summary>
    public void Sweep(int listing, long nowUnix, Func<UInt128, bool> onVanished)
    {
        _entries.RemoveWhere((listing, nowUnix, onVanished), static ((int listing, long nowUnix, Func<UInt128, bool> onVanished) context, UInt128 id, ref Entry entry) =>
            (entry.State & ListingMask) != (uint)context.listing
            && (IsExpired(entry, context.nowUnix) || (entry.State & OnDestinationBit) == 0 || context.onVanished(id)));
    }

    /// <summary>
    /// A closing (read-only) listing saw a key: true when the destination does not hold exactly this
    /// version. Marks the entry as seen by <paramref name="listing"/> without changing what is known.
    /// </summary>
    public bool Differs(UInt128 id, ulong cas, long expiry, int listing)
    {
        ref var entry = ref _entries.Find(id);
        if (Unsafe.IsNullRef(ref entry))
            return true;
        entry.State = (entry.State & ~ListingMask) | (uint)listing;
        const uint held = OnDestinationBit | CurrentBit;
        var sameExpiry = (entry.State & FetchedExpiryBit) != 0 || entry.Expiry == ToExpiry(expiry);
        return entry.Cas != cas || !sameExpiry || (entry.State & held) != held;
    }

    /// <summary>Keys the destination holds that a closing listing did not see (and that have not expired): differences.</summary>
    public void CountVanished(int listing, long nowUnix, Action<UInt128> onVanished)
    {
        _entries.RemoveWhere((listing, nowUnix, onVanished), static ((int listing, long nowUnix, Action<UInt128> onVanished) context, UInt128 id, ref Entry entry) =>
        {
            if ((entry.State & ListingMask) != (uint)context.listing && (entry.State & OnDestinationBit) != 0 && !IsExpired(entry, context.nowUnix))
                context.onVanished(id);
            return false;
        });
    }

    private static bool IsExpired(in Entry entry, long nowUnix) => entry.Expiry != 0 && entry.Expiry <= nowUnix;

    /// <summary>metadump's exp (absolute unix seconds, -1 never) as 0 for never, else the time clamped to 32 bits.</summary>
    private static uint ToExpiry(long expiry) => expiry < 0 ? 0 : expiry == 0 ? 1 : expiry > uint.MaxValue ? uint.MaxValue : (uint)expiry;

    /// <summary>16 bytes: the CAS the destination's copy has, the expiry, the last listing that saw the key and three state bits.</summary>
    private struct Entry
    {
        public ulong Cas;
        public uint Expiry;
        public uint State;
    }
}
