using MemcacheOps.Engine.Move;

namespace MemcacheOps.Tests.Move;

/// <summary>The change-tracking rules of one source's key map, without servers.</summary>
public sealed class KeyStateMapTests
{
    private static readonly UInt128 A = 1;
    private static readonly UInt128 B = 2;
    private const long Now = 1_800_000_000;

    [Fact]
    public void A_key_is_new_then_unchanged_while_its_cas_and_expiry_stay_then_changed()
    {
        var map = new KeyStateMap();
        Assert.Equal(KeyChange.New, map.Observe(A, 10, -1, 1, out var before));
        Assert.False(before);
        Assert.Equal(KeyChange.Unchanged, map.Observe(A, 10, -1, 2, out _));
        Assert.Equal(KeyChange.Changed, map.Observe(A, 11, -1, 3, out before));
        Assert.True(before);
        Assert.Equal(KeyChange.Changed, map.Observe(A, 11, Now + 500, 4, out _)); // touched: same CAS, new expiry
        Assert.Equal(KeyChange.Unchanged, map.Observe(A, 11, Now + 500, 5, out _));
    }

    [Fact]
    public void A_newer_version_seen_by_the_fetch_is_what_the_destination_holds()
    {
        var map = new KeyStateMap();
        map.Observe(A, 10, -1, 1, out _);
        map.Apply(new KeyCorrection(0, A, 12, Now + 99, CorrectionKind.FetchedNewer, true));
        // The next listing shows the version written (its exact expiry replaces the fetched estimate).
        Assert.Equal(KeyChange.Unchanged, map.Observe(A, 12, Now + 100, 2, out _));
        Assert.False(map.Differs(A, 12, Now + 100, 3));
        Assert.True(map.Differs(A, 10, -1, 3));
    }

    [Fact]
    public void A_key_missing_at_fetch_is_new_again_and_is_forgotten_when_it_stays_away()
    {
        var map = new KeyStateMap();
        map.Observe(A, 10, -1, 1, out _);
        map.Apply(new KeyCorrection(0, A, 0, -1, CorrectionKind.NotWritten, WasOnDestination: false));
        Assert.True(map.Differs(A, 10, -1, 2));
        var vanished = new List<UInt128>();
        map.Sweep(3, Now, id =>
        {
            vanished.Add(id);
            return true;
        });
        Assert.Empty(vanished); // never reached the destination: nothing to delete there
        Assert.Equal(0, map.Count);
    }

    [Fact]
    public void Too_large_versions_are_not_retried_but_count_as_differences()
    {
        var map = new KeyStateMap();
        map.Observe(A, 10, -1, 1, out _);
        map.Apply(new KeyCorrection(0, A, 10, -1, CorrectionKind.Unwritable, WasOnDestination: false));
        Assert.Equal(KeyChange.Unchanged, map.Observe(A, 10, -1, 2, out _));
        Assert.True(map.Differs(A, 10, -1, 3));
        Assert.Equal(KeyChange.New, map.Observe(A, 11, -1, 4, out _)); // a new version is tried again
    }

    [Fact]
    public void Vanished_keys_are_deleted_kept_as_differences_or_forgotten_when_expired()
    {
        var map = new KeyStateMap();
        map.Observe(A, 10, -1, 1, out _);
        map.Observe(B, 11, Now - 5, 1, out _);
        var offered = new List<UInt128>();
        map.Sweep(2, Now, id =>
        {
            offered.Add(id);
            return false; // without -SyncDeletes: keep it as a known difference
        });
        Assert.Equal([A], offered); // B expired: its copy expires too
        Assert.Equal(1, map.Count);
        var counted = new List<UInt128>();
        map.CountVanished(3, Now, counted.Add);
        Assert.Equal([A], counted);
        map.Sweep(4, Now, _ => true); // with -SyncDeletes: deleted there, forgotten here
        Assert.Equal(0, map.Count);
    }

    [Fact]
    public void A_closing_listing_marks_keys_seen_without_changing_what_is_known()
    {
        var map = new KeyStateMap();
        map.Observe(A, 10, -1, 1, out _);
        map.Observe(B, 20, -1, 1, out _);
        Assert.False(map.Differs(A, 10, -1, 2));
        Assert.True(map.Differs(B, 21, -1, 2));
        var vanished = new List<UInt128>();
        map.CountVanished(2, Now, vanished.Add);
        Assert.Empty(vanished);
        Assert.Equal(KeyChange.Changed, map.Observe(B, 21, -1, 3, out _));
    }
}
