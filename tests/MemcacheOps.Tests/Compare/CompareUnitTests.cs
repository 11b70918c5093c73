using MemcacheOps.Engine;
using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Protocol;
using static MemcacheOps.Tests.Compare.CompareRunner;

namespace MemcacheOps.Tests.Compare;

/// <summary>The pieces of Compare that need no server: side resolution, classification, sampling, the s flag.</summary>
public sealed class CompareUnitTests
{
    [Fact]
    public void Server_text_is_a_server_list()
    {
        var single = CompareSide.Resolve(["127.0.0.1:11311"]);
        var ring = CompareSide.Resolve(["a:1,b:2", "c"]);

        Assert.False(single.IsDump);
        Assert.Equal("127.0.0.1:11311", single.ToString());
        Assert.Equal(["a:1", "b:2", "c:11211"], ring.Servers.Select(s => s.ToString()));
    }

    [Fact]
    public void An_existing_file_or_folder_is_a_dump()
    {
        var dir = Directory.CreateTempSubdirectory("mo-side-");
        try
        {
            var file = Path.Combine(dir.FullName, "data_1");
            File.WriteAllBytes(file, []);

            Assert.Equal(dir.FullName, CompareSide.Resolve([dir.FullName]).Path);
            Assert.Equal(file, CompareSide.Resolve([file]).Path);
            Assert.Equal(file, CompareSide.Resolve(["whatever"], _ => file).Path); // the front end's resolver decides where relative paths point
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("./missing/dump", "DumpNotFound")]
    [InlineData("/no/such/dump", "DumpNotFound")]
    [InlineData("bad host", "InvalidServer")]
    [InlineData("a:99999", "InvalidServer")]
    public void Neither_a_path_nor_a_server_is_an_error(string text, string errorId)
    {
        var error = Assert.Throws<MemcacheException>(() => CompareSide.Resolve([text]));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
    }

    private static ItemRecord Item(long size, uint flags, long ttl, UInt128 digest) =>
        new() { Present = true, HasDigest = true, Size = size, Flags = flags, Ttl = ttl, Digest = digest };

    [Fact]
    public void Classification_reports_the_most_significant_kind()
    {
        var reference = Item(5, 1, 100, 42);

        Assert.Null(ItemComparer.Classify(reference, Item(5, 1, 100, 42), uint.MaxValue, 2));
        Assert.Null(ItemComparer.Classify(reference, Item(5, 1, 102, 42), uint.MaxValue, 2));
        Assert.Equal(DifferenceKind.Missing, ItemComparer.Classify(reference, default, uint.MaxValue, 2));
        Assert.Equal(DifferenceKind.ValueMismatch, ItemComparer.Classify(reference, Item(5, 2, -1, 43), uint.MaxValue, 2));
        Assert.Equal(DifferenceKind.ValueMismatch, ItemComparer.Classify(reference, Item(6, 1, 100, 42), uint.MaxValue, 2));
        Assert.Equal(DifferenceKind.FlagsMismatch, ItemComparer.Classify(reference, Item(5, 2, 500, 42), uint.MaxValue, 2));
        Assert.Equal(DifferenceKind.TtlMismatch, ItemComparer.Classify(reference, Item(5, 1, 103, 42), uint.MaxValue, 2));
        Assert.Equal(DifferenceKind.TtlMismatch, ItemComparer.Classify(reference, Item(5, 1, -1, 42), uint.MaxValue, 1_000_000));
        Assert.Null(ItemComparer.Classify(Item(5, 1, -1, 42), Item(5, 1, -1, 42), uint.MaxValue, 0));
        // Flags compared on their low 16 bits when a cachemover dump is involved.
        Assert.Null(ItemComparer.Classify(Item(5, 70_000, -1, 42), Item(5, 70_000 & 0xFFFF, -1, 42), 0xFFFF, 2));
    }

    [Fact]
    public void Expired_dump_items_have_no_ttl()
    {
        Assert.True(ItemRecord.TryGetTtl(-1, 1000, out var never));
        Assert.Equal(-1, never);
        Assert.True(ItemRecord.TryGetTtl(1010, 1000, out var ten));
        Assert.Equal(10, ten);
        Assert.False(ItemRecord.TryGetTtl(1000, 1000, out _));
        Assert.False(ItemRecord.TryGetTtl(999, 1000, out _)); // one second past: expired, not "never"
    }

    [Fact]
    public void Sampling_is_deterministic_and_close_to_the_fraction()
    {
        var keys = Enumerable.Range(0, 20_000).Select(i => Utf8($"user:{i}")).ToList();
        var tenth = new SampleFilter(0.1);

        var picked = keys.Count(k => tenth.Includes(k));

        Assert.InRange(picked, 1700, 2300);
        Assert.Equal(picked, keys.Count(k => new SampleFilter(0.1).Includes(k)));
        Assert.All(keys.Where(k => tenth.Includes(k)), k => Assert.True(new SampleFilter(0.5).Includes(k))); // a larger sample contains a smaller one
        Assert.All(keys, k => Assert.True(new SampleFilter(null).Includes(k)));
        Assert.All(keys, k => Assert.True(new SampleFilter(1).Includes(k)));
        Assert.Throws<MemcacheException>(() => new SampleFilter(0));
        Assert.Throws<MemcacheException>(() => new SampleFilter(1.5));
        Assert.Throws<MemcacheException>(() => new SampleFilter(double.NaN));
    }

    [Fact]
    public void The_s_flag_reports_the_value_length()
    {
        Assert.True(MetaReplyParser.TryParseHeader("HD s5 f7 t100 O1\r\n"u8, out var reply));
        Assert.Equal(MetaReplyKind.Header, reply.Kind);
        Assert.True(reply.HasSize);
        Assert.Equal(5, reply.Size);
        Assert.Equal(7u, reply.ClientFlags);
        Assert.Equal(100, reply.Ttl);
        Assert.Equal(1, reply.Opaque);
    }
}
