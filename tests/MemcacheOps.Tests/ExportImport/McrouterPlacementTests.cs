using System.Text;
using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Move;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Dump;
using MemcacheOps.Tests.Routing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.ExportImport;

/// <summary>Eight real memcached servers; each test uses the first 3, 5 or 8 as an mcrouter pool, in that order.</summary>
public sealed class McrouterPoolServers : IDisposable
{
    public McrouterPoolServers()
    {
        Servers = Enumerable.Range(0, 8).Select(_ => MemcachedProcess.Start(memoryMb: 32)).ToArray();
    }

    public MemcachedProcess[] Servers { get; }

    public void Dispose()
    {
        foreach (var server in Servers)
            server.Dispose();
    }
}

/// <summary>
/// Import into an mcrouter pool puts every key on the server mcrouter would choose: for pools of 3, 5 and 8
/// real servers with ch3 (plain and salted), crc32 and weighted ch3, each server is read directly and must
/// hold exactly the keys the reference placement (checked against mcrouter's own code in
/// <see cref="McrouterPoolTests"/>) gives it, with their bytes and flags, and none of the others.
/// </summary>
public sealed class McrouterPlacementTests(McrouterPoolServers pool) : IClassFixture<McrouterPoolServers>
{
    public static TheoryData<int, RingForm, string?> Pools()
    {
        var data = new TheoryData<int, RingForm, string?>();
        foreach (var size in new[] { 3, 5, 8 })
        {
            data.Add(size, RingForm.Ch3, null);
            data.Add(size, RingForm.Ch3, "failover-b");
            data.Add(size, RingForm.Crc32, null);
        }
        data.Add(5, RingForm.Crc32, "s1");
        data.Add(5, RingForm.WeightedCh3, "s1");
        return data;
    }

    [Theory]
    [MemberData(nameof(Pools))]
    public async Task Import_places_every_key_where_mcrouter_looks(int size, RingForm form, string? salt)
    {
        var tag = $"{size}-{form}-{salt ?? "nosalt"}";
        var servers = pool.Servers.Take(size).ToArray();
        double[]? weights = form == RingForm.WeightedCh3 ? [1, 0.6, 1, 0.3, 1] : null;
        var records = TestSet(tag);
        using var dir = new TempDirectory();
        DumpTestData.WriteFile(dir.Path, "data-0", records);

        var sink = new CollectingSink();
        var result = await ImportService.RunAsync(new ImportOptions
        {
            Paths = [Path.Combine(dir.Path, "data-0")],
            Servers = servers.Select(s => s.ServerEndpoint).ToList(),
            Ring = new RingOptions { Form = form, HashSalt = salt, Weights = weights },
        }, sink, CancellationToken.None);

        Assert.Empty(sink.Errors);
        Assert.Equal(records.Count, result.Stored);
        var expected = records.ToLookup(r => form switch
        {
            RingForm.Ch3 => ReferenceMcrouter.Ch3(r.Key, size, salt),
            RingForm.Crc32 => ReferenceMcrouter.Crc32Pool(r.Key, size, salt),
            _ => ReferenceMcrouter.WeightedCh3(r.Key, weights!, salt, (k, seed) => SpookyHashV2.Hash32(k, seed)),
        });
        var keys = records.Select(r => r.Key).ToList();
        for (var index = 0; index < size; index++)
        {
            var held = await ItemReader.ReadAsync(servers[index].Endpoint, keys);
            var owned = expected[index].ToList();
            Assert.True(owned.Count > 0, $"{tag}: no key of the test set belongs to server {index}; the set is too small to prove anything");
            Assert.Equal(owned.Select(r => ItemReader.Id(r.Key)).Order(), held.Keys.Order());
            foreach (var record in owned)
            {
                var item = held[ItemReader.Id(record.Key)];
                Assert.Equal(record.Value, item.Value);
                Assert.Equal(record.Flags, item.Flags);
            }
        }
    }

    [Theory]
    [InlineData("ch3", null, null)]
    [InlineData("crc32", "cli-salt", null)]
    [InlineData("weighted-ch3", "cli-salt", "1,0.6,1")]
    public async Task Cli_import_places_keys_as_the_options_say(string form, string? salt, string? weights)
    {
        var tag = $"cli-{form}-{salt}";
        var servers = pool.Servers.Take(3).ToArray();
        var records = TestSet(tag);
        using var dir = new TempDirectory();
        DumpTestData.WriteFile(dir.Path, "data-0", records);
        var args = new List<string> { "import", "--path", Path.Combine(dir.Path, "data-0"), "--server", string.Join(",", servers.Select(s => s.Endpoint)), "--ring-form", form, "--quiet" };
        if (salt is not null)
            args.AddRange(["--hash-salt", salt]);
        if (weights is not null)
            args.AddRange(["--hash-weight", weights]);

        var (code, _, errors) = await CliRunner.RunAsync([.. args]);

        Assert.True(code == 0, errors);
        var parsedWeights = weights?.Split(',').Select(w => double.Parse(w, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Func<byte[], int> owner = form switch
        {
            "ch3" => key => ReferenceMcrouter.Ch3(key, 3, salt),
            "crc32" => key => ReferenceMcrouter.Crc32Pool(key, 3, salt),
            _ => key => ReferenceMcrouter.WeightedCh3(key, parsedWeights!, salt, (k, seed) => SpookyHashV2.Hash32(k, seed)),
        };
        var keys = records.Select(r => r.Key).ToList();
        for (var index = 0; index < servers.Length; index++)
        {
            var held = await ItemReader.ReadAsync(servers[index].Endpoint, keys);
            Assert.Equal(records.Where(r => owner(r.Key) == index).Select(r => ItemReader.Id(r.Key)).Order(), held.Keys.Order());
        }
    }

    [Fact]
    public async Task Move_warms_a_new_ch3_pool_member_with_exactly_the_keys_the_grown_pool_gives_it()
    {
        // Servers of its own: a move copies everything its sources hold, so other tests' keys must not be there.
        var servers = Enumerable.Range(0, 4).Select(_ => MemcachedProcess.Start(memoryMb: 32)).ToArray();
        try
        {
            await WarmNewMemberAsync(servers[..3], servers[3]);
        }
        finally
        {
            foreach (var server in servers)
                server.Dispose();
        }
    }

    private static async Task WarmNewMemberAsync(MemcachedProcess[] peers, MemcachedProcess newcomer)
    {
        const string salt = "warm";
        var records = TestSet("grow");
        // The pool of three as mcrouter filled it: each key on its ch3 owner among three.
        foreach (var group in records.GroupBy(r => ReferenceMcrouter.Ch3(r.Key, 3, salt)))
            await Seeder.StoreAsync(peers[group.Key].Endpoint, group.Select(r => new SeedItem(r.Key, r.Value, r.Flags)));

        var sink = new CollectingSink();
        var results = await MoveService.RunAsync(new MoveOptions
        {
            Sources = peers.Select(p => p.ServerEndpoint).ToList(),
            Destinations = [newcomer.ServerEndpoint],
            RingServers = [.. peers.Select(s => new KetamaNode(s.ServerEndpoint)), new KetamaNode(newcomer.ServerEndpoint)],
            Ring = new RingOptions { Form = RingForm.Ch3, HashSalt = salt },
        }, sink, CancellationToken.None);

        Assert.Empty(sink.Errors);
        var moving = records.Where(r => ReferenceMcrouter.Ch3(r.Key, 4, salt) == 3).ToList();
        // Growing ch3 from 3 to 4 moves about a quarter of the keys, all to the new index 3.
        Assert.InRange(moving.Count, records.Count * 0.15, records.Count * 0.35);
        Assert.Equal(moving.Count, Assert.Single(results).Copied);
        var held = await ItemReader.ReadAsync(newcomer.Endpoint, records.Select(r => r.Key));
        Assert.Equal(moving.Select(r => ItemReader.Id(r.Key)).Order(), held.Keys.Order());
    }

    [Fact]
    public async Task Export_keeps_and_compare_looks_for_keys_where_an_mcrouter_pool_places_them()
    {
        // Servers of its own: the export lists everything the holder has.
        var holder = MemcachedProcess.Start(memoryMb: 32);
        var members = Enumerable.Range(0, 3).Select(_ => MemcachedProcess.Start(memoryMb: 32)).ToArray();
        using var dir = new TempDirectory();
        try
        {
            const string salt = "filter";
            var records = TestSet("filter");
            await Seeder.StoreAsync(holder.Endpoint, records.Select(r => new SeedItem(r.Key, r.Value, r.Flags)));
            var endpoints = members.Select(m => m.ServerEndpoint).ToList();
            var placement = new RingOptions { Form = RingForm.Ch3, HashSalt = salt };

            // cachemover's all_ips / dest_ips with mcrouter's placement: only what the second member holds.
            var sink = new CollectingSink();
            var export = await ExportService.RunAsync(new ExportOptions
            {
                Servers = [holder.ServerEndpoint],
                Path = dir.Combine("filtered"),
                OwnerFilter = new OwnerFilter(placement.Create(endpoints), [endpoints[1]]),
            }, sink, CancellationToken.None);
            Assert.Empty(sink.Errors);
            var dumped = DumpSource.Open(dir.Combine("filtered")).Files.SelectMany(f =>
            {
                using var reader = f.OpenReader();
                return DumpTestData.ReadAll(reader);
            }).Select(r => ItemReader.Id(r.Key)).Order().ToList();
            var owned = records.Where(r => ReferenceMcrouter.Ch3(r.Key, 3, salt) == 1).Select(r => ItemReader.Id(r.Key)).Order().ToList();
            Assert.Equal(owned, dumped);
            Assert.Equal(records.Count - owned.Count, export.Filtered);

            // Compare over the pool: equal with the pool's placement, keys missing with another salt.
            var all = Directory.CreateDirectory(dir.Combine("all")).FullName;
            DumpTestData.WriteFile(all, "data-0", records);
            var import = await ImportService.RunAsync(new ImportOptions
            {
                Paths = [Path.Combine(all, "data-0")],
                Servers = endpoints,
                Ring = placement,
            }, sink, CancellationToken.None);
            Assert.Equal(records.Count, import.Stored);
            var equal = await Compare.CompareRunner.RunAsync(new ComparisonOptions
            {
                Reference = CompareSide.FromServers([holder.ServerEndpoint]),
                Difference = CompareSide.FromServers(endpoints),
                Ring = placement,
            });
            Assert.Empty(equal.Differences);
            Assert.Equal(records.Count, equal.Summary.Equal);
            var unsalted = await Compare.CompareRunner.RunAsync(new ComparisonOptions
            {
                Reference = CompareSide.FromServers([holder.ServerEndpoint]),
                Difference = CompareSide.FromServers(endpoints),
                Ring = placement with { HashSalt = null },
            });
            Assert.InRange(unsalted.Summary.Missing, records.Count / 3, records.Count);
        }
        finally
        {
            holder.Dispose();
            foreach (var member in members)
                member.Dispose();
        }
    }

    /// <summary>
    /// Text keys up to 250 bytes, binary keys up to 186 (what base64 keys allow), keys with a routing prefix
    /// (/region/cluster/) and with a hash stop (|#|): what the pool forms must all place as mcrouter does.
    /// </summary>
    private static List<TestRecord> TestSet(string tag)
    {
        var random = new Random(tag.Aggregate(17, (seed, c) => unchecked(seed * 31 + c)) & 0x7fffffff);
        var records = new List<TestRecord>();
        for (var i = 0; i < 400; i++)
        {
            byte[] key;
            switch (i % 5)
            {
                case 0:
                    key = Encoding.ASCII.GetBytes($"{tag}:user:{i}");
                    break;
                case 1:
                    var text = $"{tag}:long:{i}:";
                    key = Encoding.ASCII.GetBytes(text + new string((char)('a' + i % 26), 250 - text.Length));
                    break;
                case 2:
                    key = new byte[random.Next(1, 187)];
                    random.NextBytes(key);
                    key[0] = (byte)(i & 0xff); // distinct first bytes keep random keys apart
                    break;
                case 3:
                    key = Encoding.ASCII.GetBytes($"/region/cluster/{tag}:prefixed:{i}");
                    break;
                default:
                    key = Encoding.ASCII.GetBytes($"{tag}:group:{i % 7}|#|member:{i}");
                    break;
            }
            var value = new byte[random.Next(0, 300)];
            random.NextBytes(value);
            records.Add(new TestRecord(key, -1, (uint)random.NextInt64(0, uint.MaxValue + 1L), value));
        }
        return records;
    }
}
