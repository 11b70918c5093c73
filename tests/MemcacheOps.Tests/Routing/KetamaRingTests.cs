using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Tests.Routing;

public class KetamaRingTests
{
    private static readonly string[] ThreeServers = ["10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"];
    private static readonly string[] FourServers = ["10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211", "10.0.0.4:11211"];

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static List<byte[]> RandomKeys(int count, int seed, bool binary)
    {
        var random = new Random(seed);
        var keys = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var key = new byte[random.Next(1, 251)];
            if (binary)
            {
                random.NextBytes(key);
            }
            else
            {
                for (var b = 0; b < key.Length; b++)
                    key[b] = (byte)random.Next(0x21, 0x7F);
            }
            keys.Add(key);
        }
        return keys;
    }

    // --- hashing known answers (MD5 test suite of RFC 1321, read as little-endian uint32 of bytes 0..3) ---

    [Theory]
    [InlineData("", 0xd98c1dd4u)]            // d41d8cd9 8f00b204 ...
    [InlineData("a", 0xb975c10cu)]           // 0cc175b9 c0f1b6a8 ...
    [InlineData("abc", 0x98500190u)]         // 90015098 3cd24fb0 ...
    [InlineData("message digest", 0x7d696bf9u)] // f96b697d 7cb7938d ...
    public void Key_hash_is_point_zero_of_md5(string key, uint expected)
        => Assert.Equal(expected, KetamaRing.HashKey(Ascii(key)));

    // --- spymemcached form ---

    [Fact]
    public void Spymemcached_default_hash_base_is_cachemovers_host_slash_host_port()
    {
        var node = KetamaNode.Parse("10.0.0.1:11211");
        Assert.Equal("10.0.0.1/10.0.0.1:11211", node.GetHashBase(KetamaForm.Spymemcached));
        Assert.Equal("cache-a.example/10.0.0.1:11311", KetamaNode.Parse("cache-a.example/10.0.0.1:11311").GetHashBase(KetamaForm.Spymemcached));
        Assert.Equal("10.0.0.1:11211", KetamaNode.Parse("/10.0.0.1:11211").GetHashBase(KetamaForm.Spymemcached));
        Assert.Equal("10.0.0.9/10.0.0.9:11211", KetamaNode.Parse("10.0.0.9").GetHashBase(KetamaForm.Spymemcached));
    }

    [Fact]
    public void Spymemcached_ring_matches_reference_over_random_keys()
    {
        var ring = KetamaRing.Parse(FourServers);
        Assert.Equal(KetamaForm.Spymemcached, ring.Form);
        Assert.Equal(160, ring.PointsPerServer);
        var reference = ReferenceKetama.Spymemcached(FourServers.Select(s => s.Split(':')[0] + "/" + s).ToList());
        foreach (var key in RandomKeys(4000, seed: 1, binary: false))
            Assert.Equal(reference.Owner(key), ring.GetOwnerIndex(key));
    }

    [Fact]
    public void Spymemcached_ring_with_names_and_other_point_counts_matches_reference()
    {
        string[] servers = ["cache-a/10.1.0.1:11211", "cache-b/10.1.0.2:11212", "/10.1.0.3:11211"];
        string[] bases = ["cache-a/10.1.0.1:11211", "cache-b/10.1.0.2:11212", "10.1.0.3:11211"];
        // 150 is not a multiple of 4: like the clients, the ring hashes 150 / 4 = 37 digests.
        foreach (var points in new[] { 4, 100, 150, 400 })
        {
            var ring = KetamaRing.Parse(servers, KetamaForm.Spymemcached, points);
            var reference = ReferenceKetama.Spymemcached(bases, points);
            foreach (var key in RandomKeys(1500, seed: points, binary: true))
                Assert.Equal(reference.Owner(key), ring.GetOwnerIndex(key));
        }
    }

    // Known answers published with spymemcached's KetamaNodeLocator tests: nodes known by an address
    // without a host name, so each digest hashes "<ip>:<port>-<j>".
    [Fact]
    public void Spymemcached_known_answers_four_and_five_nodes()
    {
        var four = KetamaRing.Parse(Enumerable.Range(0, 4).Select(i => $"/127.0.0.1:{10000 + i}"));
        Assert.Equal(0, four.GetOwnerIndex(Ascii("dustin")));
        Assert.Equal(2, four.GetOwnerIndex(Ascii("noelani")));
        Assert.Equal(0, four.GetOwnerIndex(Ascii("some other key")));
        Assert.Equal(4294887009u, four.Points[^1]);
        // Keys hashing past the last point wrap to the first one.
        foreach (var key in new[] { "V5XS8C8N", "8KR2DKR2", "L9KH6X4X" })
        {
            Assert.True(KetamaRing.HashKey(Ascii(key)) > four.Points[^1]);
            Assert.Equal(3, four.GetOwnerIndex(Ascii(key)));
        }

        var five = KetamaRing.Parse(Enumerable.Range(0, 5).Select(i => $"/127.0.0.1:{10000 + i}"));
        Assert.Equal(0, five.GetOwnerIndex(Ascii("dustin")));
        Assert.Equal(2, five.GetOwnerIndex(Ascii("noelani")));
        Assert.Equal(4, five.GetOwnerIndex(Ascii("some other key")));
        Assert.Equal(2, five.GetOwnerIndex(Ascii("36")));
        Assert.Equal(3, five.GetOwnerIndex(Ascii("10037")));
        Assert.Equal(1, five.GetOwnerIndex(Ascii("22051")));
        Assert.Equal(4, five.GetOwnerIndex(Ascii("49044")));
    }

    [Theory]
    [InlineData("0", "10.0.1.1:11211")]
    [InlineData("233", "10.0.1.7:11211")]
    [InlineData("466", "10.0.1.3:11211")]
    [InlineData("699", "10.0.1.1:11211")]
    [InlineData("932", "10.0.1.6:11211")]
    [InlineData("1165", "10.0.1.2:11211")]
    [InlineData("1864", "10.0.1.5:11211")]
    [InlineData("3728", "10.0.1.8:11211")]
    [InlineData("3961", "10.0.1.4:11211")]
    [InlineData("12349", "10.0.1.7:11211")]
    [InlineData("855576", "10.0.1.8:11211")]
    [InlineData("866993", "10.0.1.2:11211")]
    [InlineData("981163", "10.0.1.5:11211")]
    public void Spymemcached_known_answers_eight_nodes(string key, string owner)
    {
        var ring = KetamaRing.Parse(Enumerable.Range(1, 8).Select(i => $"/10.0.1.{i}:11211"));
        Assert.Equal(owner, ring.GetOwner(Ascii(key)));
    }

    // --- libmemcached / twemproxy form ---

    [Fact]
    public void Libmemcached_hash_base_drops_default_port_and_uses_names()
    {
        Assert.Equal("10.0.0.1", KetamaNode.Parse("10.0.0.1:11211").GetHashBase(KetamaForm.Libmemcached));
        Assert.Equal("10.0.0.1", KetamaNode.Parse("10.0.0.1").GetHashBase(KetamaForm.Libmemcached));
        Assert.Equal("10.0.0.1:11212", KetamaNode.Parse("10.0.0.1:11212").GetHashBase(KetamaForm.Libmemcached));
        Assert.Equal("cache-a", KetamaNode.Parse("cache-a/10.0.0.1:11212").GetHashBase(KetamaForm.Libmemcached));
        Assert.Equal("10.0.0.1", KetamaNode.Parse("/10.0.0.1:11211").GetHashBase(KetamaForm.Libmemcached));
    }

    [Fact]
    public void Libmemcached_ring_matches_reference_over_random_keys()
    {
        string[] servers = ["10.0.0.1:11211", "10.0.0.2:11212", "cache-c/10.0.0.3:11211"];
        string[] bases = ["10.0.0.1", "10.0.0.2:11212", "cache-c"];
        foreach (var points in new[] { 160, 150 })
        {
            var ring = KetamaRing.Parse(servers, KetamaForm.Libmemcached, points);
            var reference = ReferenceKetama.Libmemcached(bases, [1, 1, 1], points);
            foreach (var key in RandomKeys(3000, seed: 2, binary: false))
                Assert.Equal(reference.Owner(key), ring.GetOwnerIndex(key));
        }
    }

    [Fact]
    public void Libmemcached_weighted_ring_matches_reference()
    {
        var nodes = new[]
        {
            new KetamaNode(ServerEndpoint.Parse("10.2.0.1:11211"), weight: 3),
            new KetamaNode(ServerEndpoint.Parse("10.2.0.2:11211"), weight: 1),
            new KetamaNode(ServerEndpoint.Parse("10.2.0.3:22122"), weight: 2),
        };
        var ring = new KetamaRing(nodes, KetamaForm.Libmemcached);
        var reference = ReferenceKetama.Libmemcached(["10.2.0.1", "10.2.0.2", "10.2.0.3:22122"], [3, 1, 2]);
        foreach (var key in RandomKeys(3000, seed: 3, binary: true))
            Assert.Equal(reference.Owner(key), ring.GetOwnerIndex(key));
    }

    [Fact]
    public void Libmemcached_points_per_server_follow_the_single_precision_formula()
    {
        // Equal weights give 40 digests (160 points) for most server counts...
        Assert.Equal(40, KetamaRing.LibmemcachedDigests(1, 3, 3, 160));
        Assert.Equal(40, KetamaRing.LibmemcachedDigests(1, 4, 4, 160));
        // ...but float rounding leaves 39.999996, hence 39 digests, for counts such as 25, 50 and 100.
        foreach (var count in new[] { 25, 47, 50, 100 })
            Assert.Equal(39, KetamaRing.LibmemcachedDigests(1, count, count, 160));

        var ring = KetamaRing.Parse(Enumerable.Range(1, 25).Select(i => $"10.3.0.{i}:11211"), KetamaForm.Libmemcached);
        var expected = ReferenceKetama.Libmemcached(Enumerable.Range(1, 25).Select(i => $"10.3.0.{i}").ToList(), Enumerable.Repeat(1, 25).ToList())
            .AllPoints.Select(p => p.Point).Distinct().Count();
        Assert.Equal(expected, ring.PointCount);
        Assert.True(ring.PointCount <= 25 * 156);
    }

    // Known answers published with libmemcached's ketama tests (weighted ketama, MD5 key hash):
    // key, key hash, value of the owning continuum point, owner host.
    [Theory]
    [InlineData("SVa_]_V41)", 443691461u, 445379617u, "10.0.1.7")]
    [InlineData("*/Z;?V(.\\8", 1422915503u, 1428303028u, "10.0.1.1")]
    [InlineData("30C1*Z*S/_", 1473165754u, 1480075959u, "10.0.1.2")]
    [InlineData("ERR:EC58G>", 2148406511u, 2168579133u, "10.0.1.7")]
    [InlineData("1I=cTMNTKF", 2882686667u, 2885206587u, "10.0.1.5")]
    [InlineData("]VG<`I*Z8)", 1103544263u, 1104827657u, "10.0.1.5")]
    [InlineData("UUTC`-V159", 3716288206u, 3727224240u, "10.0.1.5")]
    [InlineData("@7RU6C6T+Z", 3862737685u, 3871917949u, "10.0.1.5")]
    [InlineData("726bW=9*a4", 4213440020u, 4213950705u, "10.0.1.7")]
    [InlineData("\\`)<B)UE,c", 951096736u, 955226069u, "10.0.1.1")]
    [InlineData("P1[Ma3=K1/", 1989324036u, 1994028240u, "10.0.1.8")]
    [InlineData("cDT0)Z5P6,", 176485284u, 178675413u, "10.0.1.5")]
    [InlineData("1*RTMC7,03", 1602398012u, 1606398093u, "10.0.1.8")]
    [InlineData("R-08RNTaRT", 3718170086u, 3727224240u, "10.0.1.5")]
    [InlineData("=256P+;Qc8", 3976201210u, 3976304873u, "10.0.1.5")]
    [InlineData("M/HV^_HZ4O", 3623390946u, 3624445007u, "10.0.1.7")]
    [InlineData("[>RZHG97Q9", 71954686u, 72034069u, "10.0.1.6")]
    [InlineData("N-)88>[O`,", 50404102u, 51792557u, "10.0.1.5")]
    [InlineData("VD6D0]ba_\\", 3842502950u, 3842588691u, "10.0.1.1")]
    public void Libmemcached_known_answers_weighted_eight_nodes(string key, uint keyHash, uint point, string owner)
    {
        var ring = LibmemcachedTestRing();
        Assert.Equal(keyHash, KetamaRing.HashKey(Ascii(key)));
        Assert.Equal(point, ring.Points[ring.FindPointIndex(keyHash)]);
        Assert.Equal(owner, ring.Servers[ring.GetOwnerIndex(Ascii(key))].Host);
    }

    [Fact]
    public void Libmemcached_known_answer_wraps_past_the_last_point()
    {
        var ring = LibmemcachedTestRing();
        var hash = KetamaRing.HashKey(Ascii("VDEAAAAA"));
        Assert.Equal(0xfffcd1b5u, hash);
        Assert.True(hash > ring.Points[^1]);
        Assert.Equal(ring.PointOwners[0], ring.GetOwnerIndex(Ascii("VDEAAAAA")));
    }

    private static KetamaRing LibmemcachedTestRing()
    {
        int[] weights = [600, 300, 200, 350, 1000, 800, 950, 100];
        var nodes = weights.Select((w, i) => new KetamaNode(ServerEndpoint.Parse($"10.0.1.{i + 1}:11211"), weight: w));
        return new KetamaRing(nodes, KetamaForm.Libmemcached);
    }

    // --- behaviour common to both forms ---

    [Theory]
    [InlineData(KetamaForm.Spymemcached)]
    [InlineData(KetamaForm.Libmemcached)]
    public void Adding_a_fourth_server_moves_about_a_quarter_of_keys_all_to_the_new_server(KetamaForm form)
    {
        var three = KetamaRing.Parse(ThreeServers, form);
        var four = KetamaRing.Parse(FourServers, form);
        var keys = RandomKeys(20000, seed: 4, binary: false);
        var moved = 0;
        foreach (var key in keys)
        {
            var before = three.GetOwnerIndex(key);
            var after = four.GetOwnerIndex(key);
            if (before != after)
            {
                moved++;
                Assert.Equal(3, after);
            }
        }
        var fraction = moved / (double)keys.Count;
        Assert.InRange(fraction, 0.17, 0.33);
    }

    [Theory]
    [InlineData(KetamaForm.Spymemcached)]
    [InlineData(KetamaForm.Libmemcached)]
    public void Binary_keys_route_like_the_reference(KetamaForm form)
    {
        var ring = KetamaRing.Parse(ThreeServers, form);
        var reference = form == KetamaForm.Spymemcached
            ? ReferenceKetama.Spymemcached(ThreeServers.Select(s => s.Split(':')[0] + "/" + s).ToList())
            : ReferenceKetama.Libmemcached(ThreeServers.Select(s => s.Split(':')[0]).ToList(), [1, 1, 1]);
        var keys = RandomKeys(3000, seed: 5, binary: true);
        keys.Add([]);
        keys.Add([0]);
        keys.Add([0xFF, 0xFE, 0x00, 0x0A, 0x0D, 0x20]);
        foreach (var key in keys)
        {
            Assert.Equal(reference.Owner(key), ring.GetOwnerIndex(key));
            Assert.Equal(ThreeServers[ring.GetOwnerIndex(key)], ring.GetOwner(key));
        }
    }

    [Theory]
    [InlineData(KetamaForm.Spymemcached)]
    [InlineData(KetamaForm.Libmemcached)]
    public void Ties_go_to_the_server_the_reference_client_picks(KetamaForm form)
    {
        // 2000 servers x 160 points on a 32-bit circle make equal points near certain (about a dozen here).
        var hosts = Enumerable.Range(0, 2000).Select(i => $"10.9.{i / 250}.{i % 250 + 1}").ToList();
        var ring = KetamaRing.Parse(hosts.Select(h => h + ":11211"), form);
        var reference = form == KetamaForm.Spymemcached
            ? ReferenceKetama.Spymemcached(hosts.Select(h => $"{h}/{h}:11211").ToList())
            : ReferenceKetama.Libmemcached(hosts, Enumerable.Repeat(1, hosts.Count).ToList());

        var ties = reference.AllPoints
            .GroupBy(p => p.Point)
            .Where(g => g.Select(p => p.Owner).Distinct().Count() > 1)
            .ToList();
        Assert.NotEmpty(ties);
        foreach (var tie in ties)
        {
            var owners = tie.Select(p => p.Owner).ToList();
            var expected = form == KetamaForm.Spymemcached ? owners[^1] : owners[0];
            Assert.Equal(expected, ring.GetOwnerIndexForHash(tie.Key));
            Assert.Equal(expected, reference.OwnerOfHash(tie.Key));
        }
    }

    [Fact]
    public void Lookups_do_not_allocate()
    {
        var ring = KetamaRing.Parse(FourServers);
        var keys = RandomKeys(1000, seed: 6, binary: true);
        var sum = 0;
        foreach (var key in keys)
            sum += ring.GetOwnerIndex(key) + ring.GetOwner(key).Length;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 10; round++)
        {
            foreach (var key in keys)
                sum += ring.GetOwnerIndex(key) + ring.GetOwner(key).Length;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sum > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void IndexOf_finds_servers_by_endpoint()
    {
        var ring = KetamaRing.Parse(["cache-a/10.0.0.1:11211", "10.0.0.2:11211"]);
        Assert.Equal(0, ring.IndexOf(ServerEndpoint.Parse("10.0.0.1:11211")));
        Assert.Equal(1, ring.IndexOf(ServerEndpoint.Parse("10.0.0.2")));
        Assert.Equal(-1, ring.IndexOf(ServerEndpoint.Parse("10.0.0.3:11211")));
        Assert.Equal("cache-a/10.0.0.1:11211", ring.Nodes[0].ToString());
        Assert.Equal("10.0.0.1:11211", ring.Servers[0].ToString());
    }

    // --- construction errors ---

    [Fact]
    public void Empty_server_list_is_rejected()
    {
        var error = Assert.Throws<MemcacheException>(() => KetamaRing.Parse([]));
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("KetamaNoServers", error.ErrorId);
    }

    [Theory]
    [InlineData("10.0.0.1:11211", "10.0.0.1:11211")]
    [InlineData("10.0.0.1", "10.0.0.1:11211")]
    [InlineData("Cache-A:11211", "cache-a:11211")]
    [InlineData("a/10.0.0.1:11211", "b/10.0.0.1:11211")]
    public void Duplicate_servers_are_rejected(string first, string second)
    {
        foreach (var form in new[] { KetamaForm.Spymemcached, KetamaForm.Libmemcached })
        {
            var error = Assert.Throws<MemcacheException>(() => KetamaRing.Parse([first, "10.0.0.9:11211", second], form));
            Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
            Assert.Equal("KetamaDuplicateServer", error.ErrorId);
            Assert.Contains("more than once", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Servers_that_would_share_ring_points_are_rejected()
    {
        var error = Assert.Throws<MemcacheException>(() =>
            KetamaRing.Parse(["shared/10.0.0.1:11211", "shared/10.0.0.2:11211"], KetamaForm.Libmemcached));
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("KetamaDuplicateServer", error.ErrorId);
        Assert.Contains("'shared'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    [InlineData(3)]
    [InlineData(KetamaRing.MaxPointsPerServer + 4)]
    public void Invalid_points_per_server_are_rejected(int points)
    {
        var error = Assert.Throws<MemcacheException>(() => KetamaRing.Parse(ThreeServers, KetamaForm.Spymemcached, points));
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("KetamaInvalidPointsPerServer", error.ErrorId);
    }

    [Fact]
    public void Weights_are_rejected_in_the_spymemcached_form()
    {
        var nodes = new[] { new KetamaNode(ServerEndpoint.Parse("10.0.0.1"), weight: 2), new KetamaNode(ServerEndpoint.Parse("10.0.0.2")) };
        var error = Assert.Throws<MemcacheException>(() => new KetamaRing(nodes, KetamaForm.Spymemcached));
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("KetamaWeightUnsupported", error.ErrorId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b/10.0.0.1:11211")]
    [InlineData("name/")]
    [InlineData("name/10.0.0.1:99999")]
    [InlineData("bad host:11211")]
    public void Malformed_server_strings_are_rejected(string text)
    {
        var error = Assert.Throws<MemcacheException>(() => KetamaNode.Parse(text));
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("InvalidServer", error.ErrorId);
    }

    [Fact]
    public void Invalid_weight_is_rejected()
    {
        var error = Assert.Throws<MemcacheException>(() => new KetamaNode(ServerEndpoint.Parse("10.0.0.1"), weight: 0));
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("InvalidServerWeight", error.ErrorId);
    }
}
