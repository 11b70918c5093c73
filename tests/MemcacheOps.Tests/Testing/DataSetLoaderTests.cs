using MemcacheOps.Testing;

namespace MemcacheOps.Tests.Testing;

public sealed class DataSetLoaderTests
{
    [Fact]
    public async Task Loaded_items_verify_and_carry_flags_and_ttl()
    {
        using var server = MemcachedProcess.Start();

        var loaded = await DataSetLoader.LoadAsync(server, 0, 2000);
        var verified = await DataSetLoader.VerifyAsync(server, 0, 2000);

        Assert.Equal(2000, loaded.Items);
        Assert.Equal(ReferenceDataSet.Totals(0, 2000).ValueBytes, loaded.ValueBytes);
        Assert.True(verified.IsComplete, verified.ToString());
        Assert.Equal(2000, verified.Ok);
        Assert.Contains("STAT curr_items 2000\r\n", server.Send("stats\r\n", "END\r\n"), StringComparison.Ordinal);
        // Even items never expire; odd ones got T3600 (a second may already have passed).
        Assert.Equal("HD f0 t-1 s69\r\n", server.Send("mg key:0 f t s\r\n"));
        Assert.Matches(@"^HD f1 t(3600|3599) s484\r\n$", server.Send("mg key:1 f t s\r\n"));
    }

    [Fact]
    public async Task Verify_reports_missing_and_different_items()
    {
        using var server = MemcachedProcess.Start();
        await DataSetLoader.LoadAsync(server, 100, 200);
        server.Send("delete key:105\r\n");
        server.Send("set key:107 7 0 3\r\nabc\r\n");                      // right flags, wrong value
        var item = ReferenceDataSet.Item(109);
        server.Send($"set key:109 1 0 {item.Value.Length}\r\n" + System.Text.Encoding.Latin1.GetString(item.Value) + "\r\n"); // wrong flags

        var result = await DataSetLoader.VerifyAsync(server, 100, 200);

        Assert.Equal(197, result.Ok);
        Assert.Equal(2, result.Bad);
        Assert.Equal(1, result.Missing);
        Assert.Contains("key:105 is missing", result.Problems);
        Assert.Contains("key:107 has 3 value bytes, expected " + ReferenceDataSet.ValueSize(107), result.Problems);
        Assert.Contains("key:109 has flags 1, expected 109", result.Problems);
    }

    [Fact]
    public async Task Verify_of_a_range_never_loaded_counts_every_item_missing()
    {
        using var server = MemcachedProcess.Start();

        var result = await DataSetLoader.VerifyAsync(server, 0, 250);

        Assert.Equal(250, result.Missing);
        Assert.Equal(0, result.Ok);
    }

    [Fact]
    public async Task Load_fails_on_an_error_reply_and_names_the_batch()
    {
        // Items up to 1 KiB only: larger reference values get SERVER_ERROR object too large for cache.
        using var server = MemcachedProcess.Start("-I 1k -o slab_chunk_max=512");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => DataSetLoader.LoadAsync(server, 0, 500));

        Assert.Contains("SERVER_ERROR object too large for cache", ex.Message, StringComparison.Ordinal);
        Assert.Contains("items 0..99", ex.Message, StringComparison.Ordinal);
    }
}
