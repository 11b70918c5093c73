using System.Text;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Tests.Routing;

/// <summary>
/// mcrouter's placements: fixed vectors computed by mcrouter's own C code (lib/fbi/hash.c furc_hash and
/// crc32_hash, WeightedCh3HashFunc with folly's SpookyHashV2, compiled with gcc on x86-64 for these tests),
/// Bob Jenkins' published SpookyHash V2 table, a plain reference written from the published algorithms over
/// random text and binary keys up to 250 bytes, and the properties mcrouter's own tests assert.
/// </summary>
public sealed class McrouterPoolTests
{
    private static readonly int[] VectorPoolSizes = [2, 3, 5, 8, 13, 64, 1000, 8388608];

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static IReadOnlyList<ServerEndpoint> Servers(int count)
        => Enumerable.Range(0, count).Select(i => new ServerEndpoint($"10.0.{i / 250}.{i % 250 + 1}", 11211)).ToList();

    // key (hex), MurmurHash64A(key, 4193360111), crc32, furc_hash for m = 2, 3, 5, 8, 13, 64, 1000, 2^23
    [Theory]
    [InlineData("", 0x4d408de62dee109aUL, 0x00000000u, new[] { 1, 1, 1, 6, 12, 12, 72, 6173600 })]
    [InlineData("61", 0x3d6961c699914c7bUL, 0xe8b7be43u, new[] { 1, 1, 4, 4, 4, 34, 900, 7695180 })]
    [InlineData("666f6f", 0x649c5afd3a8f4a03UL, 0x8c736521u, new[] { 1, 1, 1, 1, 1, 1, 478, 7448656 })]
    [InlineData("68656c6c6f", 0x12da78386346a6d1UL, 0x3610a686u, new[] { 0, 0, 0, 0, 9, 58, 575, 4189030 })]
    [InlineData("757365723a31323334", 0x79a2eafde554de60UL, 0xb0b05457u, new[] { 0, 0, 0, 0, 0, 51, 762, 3526731 })]
    [InlineData("73657373696f6e3a3866313465343566636565613136376135613336646564643462656132353433", 0xab6f6a489bd593a5UL, 0xef4be7a9u, new[] { 0, 2, 3, 3, 3, 31, 265, 7375338 })]
    [InlineData("61626364656667", 0x772b89c554c8dc3fUL, 0x312a6aa6u, new[] { 1, 2, 4, 7, 9, 28, 653, 5319080 })]
    [InlineData("6162636465666768", 0xeb598d6af4ac8ab4UL, 0xaeef2a50u, new[] { 0, 2, 2, 2, 8, 28, 257, 6241930 })]
    [InlineData("616263646566676869", 0xa1a067daf8191d25UL, 0x8da988afu, new[] { 0, 2, 2, 2, 2, 26, 983, 738669 })]
    [InlineData("6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b", 0xec7da5fda493e699UL, 0xc0ef4b0fu, new[] { 0, 0, 0, 6, 11, 11, 605, 4265346 })]
    [InlineData("6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b", 0x19c40042482304eeUL, 0x981da587u, new[] { 1, 2, 4, 4, 4, 35, 998, 1189151 })]
    [InlineData("6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b", 0x59d0ce917d566651UL, 0x7b265c7bu, new[] { 0, 0, 0, 0, 0, 59, 766, 2758867 })]
    [InlineData("00", 0x9a1c3233151f4d31UL, 0xd202ef8du, new[] { 0, 0, 0, 0, 11, 31, 856, 726714 })]
    [InlineData("00ff1080fe7f010203", 0x439989c249856bbfUL, 0xd7899da7u, new[] { 1, 2, 4, 4, 4, 20, 358, 5287181 })]
    public void Furc_murmur_and_crc32_match_mcrouters_code(string keyHex, ulong murmur, uint crc, int[] furc)
    {
        var key = Hex(keyHex);
        Assert.Equal(murmur, FurcHash.Murmur64A(key, 4193360111));
        Assert.Equal(crc, Crc32Hash.Compute(key));
        for (var i = 0; i < VectorPoolSizes.Length; i++)
        {
            var words = new ulong[FurcHash.WordsFor(VectorPoolSizes[i])];
            Assert.Equal(furc[i], FurcHash.Compute(key, VectorPoolSizes[i], words));
        }
    }

    [Fact]
    public void Furc_of_long_and_binary_keys_matches_mcrouters_code()
    {
        // 200 bytes 00..c7 and 250 bytes (i*7+3) mod 256: the block loop, tails and high bytes.
        var counting = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        var stepped = Enumerable.Range(0, 250).Select(i => (byte)((i * 7 + 3) & 0xff)).ToArray();
        var text250 = Encoding.ASCII.GetBytes(new string('x', 240) + "0123456789");
        (byte[] Key, ulong Murmur, uint Crc, int[] Furc)[] vectors =
        [
            (counting, 0xa959eecbd74a2699UL, 0xed086180u, [0, 0, 0, 6, 9, 9, 998, 4192178]),
            (stepped, 0x79e30ae4b82b7bb6UL, 0xe62d6660u, [1, 2, 2, 2, 12, 26, 349, 1180737]),
            (text250, 0xe18f009d2cd2e888UL, 0xa1331823u, [0, 0, 0, 7, 7, 7, 78, 6040676]),
        ];
        foreach (var (key, murmur, crc, furc) in vectors)
        {
            Assert.Equal(murmur, FurcHash.Murmur64A(key, 4193360111));
            Assert.Equal(crc, Crc32Hash.Compute(key));
            for (var i = 0; i < VectorPoolSizes.Length; i++)
                Assert.Equal(furc[i], FurcHash.Compute(key, VectorPoolSizes[i], new ulong[FurcHash.WordsFor(VectorPoolSizes[i])]));
        }
    }

    [Theory]
    // The pools' own view: a routing prefix is not hashed, a hash stop ends the hashed part, the salt is appended.
    [InlineData("/region/cluster/foo:key|#|etc", null, 3, 0)]   // hashed as "foo:key": furc(m=3) = 0
    [InlineData("/region/cluster/foo:key|#|etc", null, 5, 4)]
    [InlineData("foo:key|#|anything", null, 8, 6)]
    [InlineData("foo:key", "salt1", 3, 2)]                     // hashed as "foo:keysalt1"
    [InlineData("/a/b/foo:key|#|x", "salt1", 8, 5)]
    [InlineData("user:1234", "pool-b", 5, 2)]                  // hashed as "user:1234pool-b"
    [InlineData("user:1234", "pool-b", 8, 7)]
    public void Ch3_pool_hashes_the_routing_key_plus_salt(string key, string? salt, int servers, int expected)
        => Assert.Equal(expected, new Ch3Pool(Servers(servers), salt).GetOwnerIndex(Encoding.ASCII.GetBytes(key)));

    [Theory]
    [InlineData("foo:key|#|etc", null, 0x7d8d91ccu)]            // crc32("foo:key")
    [InlineData("/r/c/foo:key", "salt1", 0xfaef7f9bu)]           // crc32("foo:keysalt1")
    [InlineData("user:1234", "pool-b", 0x04a822bau)]
    public void Crc32_pool_is_crc_mod_servers(string key, string? salt, uint crc)
    {
        foreach (var servers in new[] { 2, 3, 5, 8, 13 })
            Assert.Equal((int)((crc & 0x7fffffff) % (uint)servers), new Crc32Pool(Servers(servers), salt).GetOwnerIndex(Encoding.ASCII.GetBytes(key)));
    }

    [Theory]
    [InlineData("/region/cluster/foo", "foo")]
    [InlineData("/region/cluster/", "")]
    [InlineData("/region/foo", "/region/foo")]                 // only one more '/': no routing prefix
    [InlineData("//x/foo", "foo")]
    [InlineData("foo|#|bar|#|baz", "foo")]
    [InlineData("|#|foo", "")]
    [InlineData("foo|#", "foo|#")]
    [InlineData("/a/b/c|#|d", "c")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    public void Routing_key_follows_mcrouters_key_syntax(string key, string routingKey)
    {
        Assert.Equal(routingKey, Encoding.ASCII.GetString(McrouterRoutingKey.Of(Encoding.ASCII.GetBytes(key))));
        Assert.Equal(routingKey, Encoding.ASCII.GetString(ReferenceMcrouter.RoutingKey(Encoding.ASCII.GetBytes(key))));
    }

    [Fact]
    public void SpookyHash_matches_Bob_Jenkins_published_results()
    {
        // SpookyHash V2's test table: Hash32 of bytes i+128 for lengths 0..511, seed 0 (short and long paths).
        var expected = new Dictionary<int, uint>
        {
            [0] = 0x6bf50919, [1] = 0x70de1d26, [2] = 0xa2b37298, [15] = 0x83ec01f9, [16] = 0xf274736c,
            [31] = 0x027bca7c, [32] = 0xe5cfc8b6, [37] = 0xef408aec, [74] = 0x5d414a1e, [95] = 0x3abae1cb,
            [96] = 0x1499b81a, [191] = 0xe13d9e19, [192] = 0x77e012bd, [193] = 0x2d05114c, [259] = 0x7b3e7a9a,
            [287] = 0xc22c642d, [288] = 0x47880140, [511] = 0xcc1c8250,
        };
        var buffer = Enumerable.Range(0, 512).Select(i => (byte)(i + 128)).ToArray();
        foreach (var (length, hash) in expected)
            Assert.Equal(hash, SpookyHashV2.Hash32(buffer.AsSpan(0, length), 0));
    }

    // key (hex), SpookyHash32(key, 0xface2014), WeightedCh3 index for weights {1,.5,.25}, {.1,1,.7,0,.9}, {1,1,1,1,.5,.5,.3,1}
    [Theory]
    [InlineData("", 0x6f2b12a5u, 1, 1, 3)]
    [InlineData("61", 0xa836647eu, 1, 4, 5)]
    [InlineData("666f6f", 0xa7c9f4edu, 0, 1, 1)]
    [InlineData("68656c6c6f", 0x9aa63ab5u, 0, 1, 0)]
    [InlineData("757365723a31323334", 0x88e81396u, 0, 2, 0)]
    [InlineData("61626364656667", 0x7c2d581fu, 0, 4, 7)]
    [InlineData("6162636465666768", 0x3c7dc794u, 2, 2, 2)]
    [InlineData("6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b", 0x871130aau, 0, 1, 0)]
    [InlineData("00ff1080fe7f010203", 0x96f8cf99u, 0, 4, 3)]
    public void WeightedCh3_matches_mcrouters_code(string keyHex, uint spooky, int three, int five, int eight)
    {
        var key = Hex(keyHex);
        Assert.Equal(spooky, SpookyHashV2.Hash32(key, 0xface2014));
        Assert.Equal(three, new WeightedCh3Pool(Servers(3), [1.0, 0.5, 0.25]).GetOwnerIndex(key));
        Assert.Equal(five, new WeightedCh3Pool(Servers(5), [0.1, 1.0, 0.7, 0.0, 0.9]).GetOwnerIndex(key));
        Assert.Equal(eight, new WeightedCh3Pool(Servers(8), [1, 1, 1, 1, 0.5, 0.5, 0.3, 1]).GetOwnerIndex(key));
    }

    [Fact]
    public void Long_keys_match_mcrouters_code_in_weighted_ch3()
    {
        var stepped = Enumerable.Range(0, 250).Select(i => (byte)((i * 7 + 3) & 0xff)).ToArray();
        var text250 = Encoding.ASCII.GetBytes(new string('x', 240) + "0123456789");
        Assert.Equal(0xe1538d97u, SpookyHashV2.Hash32(stepped, 0xface2014));
        Assert.Equal(0xeb812406u, SpookyHashV2.Hash32(text250, 0xface2014));
        Assert.Equal([0, 2, 2], Placements(stepped));
        Assert.Equal([0, 4, 7], Placements(text250));

        static int[] Placements(byte[] key) =>
        [
            new WeightedCh3Pool(Servers(3), [1.0, 0.5, 0.25]).GetOwnerIndex(key),
            new WeightedCh3Pool(Servers(5), [0.1, 1.0, 0.7, 0.0, 0.9]).GetOwnerIndex(key),
            new WeightedCh3Pool(Servers(8), [1, 1, 1, 1, 0.5, 0.5, 0.3, 1]).GetOwnerIndex(key),
        ];
    }

    [Fact]
    public void Pools_match_the_reference_over_random_keys_and_sizes()
    {
        var keys = ReferenceMcrouter.Keys(1500, seed: 17);
        foreach (var size in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 33, 100, 257, 1024, 5000 })
        {
            var servers = Servers(size);
            var ch3 = new Ch3Pool(servers);
            var salted = new Ch3Pool(servers, "backup-7");
            var crc = new Crc32Pool(servers, "backup-7");
            foreach (var key in keys)
            {
                Assert.Equal(ReferenceMcrouter.Ch3(key, size), ch3.GetOwnerIndex(key));
                Assert.Equal(ReferenceMcrouter.Ch3(key, size, "backup-7"), salted.GetOwnerIndex(key));
                Assert.Equal(ReferenceMcrouter.Crc32Pool(key, size, "backup-7"), crc.GetOwnerIndex(key));
            }
        }
    }

    [Fact]
    public void Crc32_equals_the_platform_crc32()
    {
        var random = new Random(3);
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(data), Crc32Hash.Compute(data));
            Assert.Equal(ReferenceMcrouter.Crc32(data), Crc32Hash.Compute(data));
        }
    }

    [Fact]
    public void WeightedCh3_matches_the_reference_and_equals_ch3_with_full_weights()
    {
        var keys = ReferenceMcrouter.Keys(600, seed: 23);
        var random = new Random(29);
        foreach (var size in new[] { 2, 3, 5, 8, 20 })
        {
            var servers = Servers(size);
            var weights = Enumerable.Range(0, size).Select(_ => Math.Round(random.NextDouble(), 3)).ToArray();
            weights[0] = 1; // at least one server takes its full share
            var weighted = new WeightedCh3Pool(servers, weights, "s");
            var full = new WeightedCh3Pool(servers, Enumerable.Repeat(1.0, size).ToArray());
            var ch3 = new Ch3Pool(servers);
            foreach (var key in keys)
            {
                Assert.Equal(ReferenceMcrouter.WeightedCh3(key, weights, "s", (k, seed) => SpookyHashV2.Hash32(k, seed)), weighted.GetOwnerIndex(key));
                Assert.Equal(ch3.GetOwnerIndex(key), full.GetOwnerIndex(key));
            }
        }
    }

    [Fact]
    public void A_server_of_weight_zero_gets_no_keys_and_half_weight_about_half_its_share()
    {
        var keys = ReferenceMcrouter.Keys(20000, seed: 31);
        var pool = new WeightedCh3Pool(Servers(4), [1, 0, 0.5, 1]);
        var counts = new int[4];
        foreach (var key in keys)
            counts[pool.GetOwnerIndex(key)]++;
        Assert.Equal(0, counts[1]);
        // Shares proportional to 1 : 0 : 0.5 : 1 are 40%, 0, 20%, 40%.
        Assert.InRange(counts[2] / 20000.0, 0.17, 0.23);
        Assert.InRange(counts[0] / 20000.0, 0.36, 0.44);
    }

    [Fact]
    public void Growing_a_ch3_pool_from_n_to_n_plus_1_moves_about_1_over_n_plus_1_of_the_keys_all_to_the_new_server()
    {
        var keys = ReferenceMcrouter.Keys(20000, seed: 41);
        foreach (var n in new[] { 1, 2, 3, 4, 5, 7, 8, 12, 16, 31, 63, 99 })
        {
            var before = new Ch3Pool(Servers(n));
            var after = new Ch3Pool(Servers(n + 1));
            var moved = 0;
            foreach (var key in keys)
            {
                var was = before.GetOwnerIndex(key);
                var now = after.GetOwnerIndex(key);
                if (was == now)
                    continue;
                moved++;
                Assert.Equal(n, now); // a key only ever moves to the added server
            }
            var expected = keys.Count / (double)(n + 1);
            // Binomial spread is under 4% of the expectation here; 15% leaves room without hiding a wrong algorithm.
            Assert.InRange(moved, expected * 0.85, expected * 1.15);
        }
    }

    [Fact]
    public void Ch3_spreads_keys_evenly()
    {
        var keys = ReferenceMcrouter.Keys(40000, seed: 43);
        foreach (var n in new[] { 3, 5, 8 })
        {
            var pool = new Ch3Pool(Servers(n));
            var counts = new int[n];
            foreach (var key in keys)
                counts[pool.GetOwnerIndex(key)]++;
            var mean = keys.Count / (double)n;
            Assert.All(counts, c => Assert.InRange(c, mean * 0.9, mean * 1.1));
        }
    }

    [Fact]
    public void Lookups_allocate_nothing()
    {
        var servers = Servers(8);
        IOwnerLookup[] pools =
        [
            new Ch3Pool(servers), new Ch3Pool(servers, "salt"), new Crc32Pool(servers), new Crc32Pool(servers, "salt"),
            new WeightedCh3Pool(servers, [1, 0.5, 0.2, 1, 1, 0.9, 0.1, 1], "salt"),
        ];
        var keys = ReferenceMcrouter.Keys(2000, seed: 47);
        var sum = 0;
        foreach (var pool in pools)
        {
            foreach (var key in keys)
                sum += pool.GetOwnerIndex(key); // warm up: static tables, JIT
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var pool in pools)
        {
            foreach (var key in keys)
                sum += pool.GetOwnerIndex(key);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sum > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Pools_report_their_form_servers_and_salt()
    {
        var servers = Servers(3);
        var pool = new Ch3Pool(servers, "x");
        Assert.Equal(RingForm.Ch3, pool.Form);
        Assert.Equal(servers, pool.Servers);
        Assert.Equal(1, ((IOwnerLookup)pool).IndexOf(servers[1]));
        Assert.Equal(-1, ((IOwnerLookup)pool).IndexOf(new ServerEndpoint("10.9.9.9", 11211)));
        Assert.Equal("Ch3 pool of 3 servers, hash salt 'x'", pool.Description);
        Assert.Equal("Crc32 pool of 3 servers", new Crc32Pool(servers).Description);
    }
}
