using MemcacheOps.Engine.Verification.NodeChecks;

namespace MemcacheOps.Tests.Verification;

/// <summary>The parts of Test-MemcacheNode that need no server: slab sizes, values, keys, the catalog.</summary>
public sealed class NodeCheckUnitTests
{
    [Fact]
    public void Slab_classes_match_what_memcached_1_6_18_reports()
    {
        // stats slabs of memcached 1.6.18 started with -I 64k -o slab_chunk_max=32768 (defaults -n 48 -f 1.25).
        var small = SlabClasses.ChunkSizes(48, 1.25, 32768);
        Assert.Equal(26, small.Count);
        Assert.Equal(96, small[0]);
        Assert.Equal(120, small[1]);
        Assert.Equal(152, small[2]);
        Assert.Equal(304, small[5]);
        Assert.Equal(8880, small[20]);
        Assert.Equal(17352, small[23]);
        Assert.Equal(32768, small[^1]);
        // The default server: 39 classes, the largest 512 KiB (where an item of 1 MiB is stored in chunks).
        var standard = SlabClasses.ChunkSizes(48, 1.25, 512 * 1024);
        Assert.Equal(39, standard.Count);
        Assert.Equal(512 * 1024, standard[^1]);
        Assert.All(standard.Take(standard.Count - 1), size => Assert.Equal(0, size % 8));
    }

    [Fact]
    public void Item_overhead_is_memcached_1_6_18s_ITEM_ntotal_less_the_value()
    {
        // Measured with me: an 11-byte key with flags 0 makes a 3-byte value a 73-byte item; a 12-byte key with flags 7, 78.
        var profile = new NodeProfile { VersionText = "1.6.18" };
        Assert.Equal(70, profile.ItemOverhead(11, nonZeroFlags: false));
        Assert.Equal(75, profile.ItemOverhead(12, nonZeroFlags: true));
        Assert.Equal(62, (profile with { CasEnabled = false }).ItemOverhead(11, nonZeroFlags: false));
    }

    [Fact]
    public void Values_belong_to_their_key_and_repeat_for_it()
    {
        var values = new TestValues(seed: 42);
        Assert.Equal(values.For("a", 1000), values.For("a", 1000));
        Assert.NotEqual(values.For("a", 1000), values.For("b", 1000));
        // Not a prefix of one shared buffer: the first bytes differ between keys of the same length.
        Assert.NotEqual(values.For("key:1", 16), values.For("key:2", 16));
        Assert.Equal(values.For("a", 10), values.For("a", 1000)[..10]);
        Assert.NotEqual(new TestValues(seed: 1).For("a", 64), new TestValues(seed: 2).For("a", 64));
        Assert.Equal(values.Checksum("a", 100), System.Security.Cryptography.SHA256.HashData(values.For("a", 100)));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 3 }, null)]
    [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 1, 9, 3 }, "byte 1 of 3 differs: 0x09 instead of 0x02")]
    [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 1, 2 }, "2 bytes instead of 3")]
    [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 3, 4 }, "4 bytes instead of 3")]
    [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 7, 2, 3, 4 }, "byte 0 (4 bytes instead of 3) differs: 0x07 instead of 0x01")]
    public void Value_differences_name_the_first_byte(byte[] expected, byte[] actual, string? difference)
        => Assert.Equal(difference, TestValues.Difference(expected, actual));

    [Fact]
    public void Keys_carry_the_run_prefix_and_are_remembered_for_the_cleanup()
    {
        var keys = new TestKeys("0123456789");
        Assert.Equal("memcacheops-test:0123456789:", keys.Prefix);
        Assert.Equal("memcacheops-test:0123456789:set", keys.Key("set"));
        var longest = keys.KeyOfLength("max", 250);
        Assert.Equal(250, longest.Length);
        Assert.StartsWith(keys.Prefix + "max:", longest, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => keys.Key(new string('x', 250)));
        keys.Track("!", base64: false, cas: 5);
        Assert.Equal(3, keys.Written.Count);
        Assert.Equal(5UL, keys.Written.Single(k => k.Token == "!").Cas);
        keys.Forget("!");
        Assert.All(keys.Written, k => Assert.StartsWith(keys.Prefix, k.Token, StringComparison.Ordinal));
        Assert.NotEqual(new TestKeys().RunId, new TestKeys().RunId);
    }

    [Fact]
    public void The_catalog_has_at_least_30_checks_that_run_by_default_each_named_once_with_an_expectation()
    {
        var all = NodeCheckCatalog.All;
        Assert.True(all.Count(c => (c.Needs & (CheckNeeds.Slow | CheckNeeds.Destructive)) == 0) >= 30);
        Assert.Equal(all.Count, all.Select(c => c.Group + "/" + c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(all, c =>
        {
            Assert.Matches("^[A-Z][A-Za-z]+$", c.Group);
            Assert.Matches("^[A-Z][A-Za-z0-9]+$", c.Name);
            Assert.InRange(c.Expected.Length, 20, 200);
            // Group/Check fits the 26-character column of the table view.
            Assert.InRange((c.Group + "/" + c.Name).Length, 3, 26);
        });
    }

    [Theory]
    [InlineData(600L, 600L, true)]
    [InlineData(598L, 600L, true)]
    [InlineData(597L, 600L, false)]
    [InlineData(601L, 600L, false)]
    [InlineData(-1L, -1L, true)]
    [InlineData(600L, -1L, false)]
    public void A_ttl_may_be_up_to_two_seconds_below_what_was_set(long actual, long expected, bool ok)
    {
        var failure = Record.Exception(() => Expect.Ttl("step", actual, expected));
        Assert.Equal(ok, failure is null);
        if (!ok)
            Assert.IsType<CheckFailedException>(failure);
    }
}
