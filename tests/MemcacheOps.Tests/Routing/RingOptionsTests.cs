using MemcacheOps.Engine;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Tests.Routing;

/// <summary>One factory picks the placement by form; settings that do not belong to the form are clear errors.</summary>
public sealed class RingOptionsTests
{
    private static readonly IReadOnlyList<ServerEndpoint> Three =
        [ServerEndpoint.Parse("10.0.0.1:11211"), ServerEndpoint.Parse("10.0.0.2:11211"), ServerEndpoint.Parse("10.0.0.3:11211")];

    [Theory]
    [InlineData(RingForm.Spymemcached, typeof(KetamaRing))]
    [InlineData(RingForm.Libmemcached, typeof(KetamaRing))]
    [InlineData(RingForm.Ch3, typeof(Ch3Pool))]
    [InlineData(RingForm.Crc32, typeof(Crc32Pool))]
    public void Each_form_builds_its_own_lookup_over_the_servers_in_order(RingForm form, Type type)
    {
        var lookup = new RingOptions { Form = form }.Create(Three);
        Assert.IsType(type, lookup);
        Assert.Equal(form, lookup.Form);
        Assert.Equal(Three, lookup.Servers);
    }

    [Fact]
    public void Ketama_forms_keep_their_points_and_mcrouter_forms_their_salt_and_weights()
    {
        var ring = Assert.IsType<KetamaRing>(new RingOptions { Form = RingForm.Libmemcached, PointsPerServer = 40 }.Create(Three));
        Assert.Equal(KetamaForm.Libmemcached, ring.Form);
        Assert.Equal(40, ring.PointsPerServer);
        Assert.Equal(KetamaRing.DefaultPointsPerServer, Assert.IsType<KetamaRing>(RingOptions.Default.Create(Three)).PointsPerServer);
        Assert.Equal("s", Assert.IsType<Ch3Pool>(new RingOptions { Form = RingForm.Ch3, HashSalt = "s" }.Create(Three)).HashSalt);
        var weighted = Assert.IsType<WeightedCh3Pool>(new RingOptions { Form = RingForm.WeightedCh3, Weights = [1, 0.5, 0] }.Create(Three));
        Assert.Equal([1, 0.5, 0], weighted.Weights);
    }

    [Theory]
    [InlineData(RingForm.WeightedCh3, null, null, null, "RingWeightsMissing")]
    [InlineData(RingForm.Ch3, null, null, new[] { 1.0, 1.0, 1.0 }, "RingWeightsNeedWeightedForm")]
    [InlineData(RingForm.Spymemcached, null, "salt", null, "RingSaltNeedsMcrouter")]
    [InlineData(RingForm.Libmemcached, null, "salt", null, "RingSaltNeedsMcrouter")]
    [InlineData(RingForm.Ch3, 160, null, null, "RingPointsNeedKetama")]
    [InlineData(RingForm.Crc32, 40, null, null, "RingPointsNeedKetama")]
    [InlineData(RingForm.WeightedCh3, null, null, new[] { 1.0, 0.5 }, "RingWeightCountMismatch")]
    [InlineData(RingForm.WeightedCh3, null, null, new[] { 1.0, 1.5, 1.0 }, "RingWeightOutOfRange")]
    [InlineData(RingForm.WeightedCh3, null, null, new[] { 1.0, -0.1, 1.0 }, "RingWeightOutOfRange")]
    [InlineData((RingForm)9, null, null, null, "RingFormUnknown")]
    public void Settings_that_do_not_fit_the_form_are_refused(RingForm form, int? points, string? salt, double[]? weights, string errorId)
    {
        var options = new RingOptions { Form = form, PointsPerServer = points, HashSalt = salt, Weights = weights };
        var error = Assert.Throws<MemcacheException>(() => options.Create(Three));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(MemcacheErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Missing_weights_say_what_to_give()
    {
        var error = Assert.Throws<MemcacheException>(() => new RingOptions { Form = RingForm.WeightedCh3 }.Validate());
        Assert.Contains("-HashWeight", error.Message, StringComparison.Ordinal);
        Assert.Contains("one per server", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cache-a/10.0.0.1:11211", "RingServerNameUnsupported")]
    [InlineData("/10.0.0.1:11211", "RingServerNameUnsupported")]
    public void Mcrouter_pools_refuse_ketama_server_names(string server, string errorId)
    {
        var nodes = new[] { KetamaNode.Parse(server), KetamaNode.Parse("10.0.0.2:11211") };
        var error = Assert.Throws<MemcacheException>(() => new RingOptions { Form = RingForm.Ch3 }.Create(nodes));
        Assert.Equal(errorId, error.ErrorId);
    }

    [Fact]
    public void Mcrouter_pools_refuse_a_server_listed_twice_and_an_empty_list()
    {
        Assert.Equal("RingDuplicateServer", Assert.Throws<MemcacheException>(() => new RingOptions { Form = RingForm.Crc32 }.Create([Three[0], Three[1], Three[0]])).ErrorId);
        Assert.Equal("RingNoServers", Assert.Throws<MemcacheException>(() => new RingOptions { Form = RingForm.Ch3 }.Create(Array.Empty<ServerEndpoint>())).ErrorId);
    }

    [Fact]
    public void An_mcrouter_pool_places_by_position_and_a_ketama_ring_by_address()
    {
        IReadOnlyList<ServerEndpoint> others = [ServerEndpoint.Parse("cache-x:11311"), ServerEndpoint.Parse("cache-y:11311"), ServerEndpoint.Parse("cache-z:11311")];
        var keys = ReferenceMcrouter.Keys(500, seed: 5);
        foreach (var form in new[] { RingForm.Ch3, RingForm.Crc32 })
        {
            var first = new RingOptions { Form = form }.Create(Three);
            var second = new RingOptions { Form = form }.Create(others);
            Assert.All(keys, key => Assert.Equal(first.GetOwnerIndex(key), second.GetOwnerIndex(key)));
        }
        var ring = RingOptions.Default.Create(Three);
        var otherRing = RingOptions.Default.Create(others);
        Assert.Contains(keys, key => ring.GetOwnerIndex(key) != otherRing.GetOwnerIndex(key));
    }

    [Fact]
    public void Description_names_the_settings()
    {
        Assert.Equal("Ch3, hash salt 'x'", new RingOptions { Form = RingForm.Ch3, HashSalt = "x" }.ToString());
        Assert.Equal("Libmemcached, 40 points per server", new RingOptions { Form = RingForm.Libmemcached, PointsPerServer = 40 }.ToString());
        Assert.Equal("WeightedCh3, weights 1,0.5", new RingOptions { Form = RingForm.WeightedCh3, Weights = [1, 0.5] }.ToString());
    }
}
