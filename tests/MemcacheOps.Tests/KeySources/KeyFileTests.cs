using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.KeySources;

/// <summary>The key file format: one key per line, 'b64:' for binary keys, errors that name the line.</summary>
public class KeyFileTests
{
    private static List<byte[]> Read(string path)
    {
        using var reader = new KeyFileReader(path);
        var keys = new List<byte[]>();
        var key = new byte[250];
        int n;
        while ((n = reader.ReadNext(key)) >= 0)
            keys.Add(key[..n]);
        return keys;
    }

    private static string Write(byte[] content)
    {
        var path = KeySourceFiles.Write();
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public void Keys_are_read_as_written_with_CRLF_blank_lines_and_base64()
    {
        var path = Write(Encoding.UTF8.GetBytes("user:1\r\n\nsession:é ü\nb64:AAEC/w==\r\nlast-without-newline"));
        var keys = Read(path);
        Assert.Equal(4, keys.Count);
        Assert.Equal("user:1"u8.ToArray(), keys[0]);
        Assert.Equal(Encoding.UTF8.GetBytes("session:é ü"), keys[1]);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, keys[2]);
        Assert.Equal("last-without-newline"u8.ToArray(), keys[3]);
        Assert.Equal(4, KeySource.FromFile(path).Count);
    }

    [Fact]
    public void A_key_of_250_bytes_is_read_and_one_of_251_fails_naming_its_line()
    {
        var ok = new string('k', 250);
        Assert.Equal(250, Read(KeySourceFiles.Write("a", ok))[1].Length);

        var path = KeySourceFiles.Write("a", "b", new string('k', 251), "c");
        var error = Assert.Throws<MemcacheException>(() => KeySource.FromFile(path));
        Assert.Equal("KeyFileInvalid", error.ErrorId);
        Assert.Contains("Line 3 ", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("251 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(path + ":3", error.Target);
    }

    [Theory]
    [InlineData("b64:@@@@", "not valid base64")]
    [InlineData("b64:", "followed by nothing")]
    public void Malformed_base64_fails_naming_its_line(string line, string problem)
    {
        var path = KeySourceFiles.Write("good", line);
        var error = Assert.Throws<MemcacheException>(() => KeySource.FromFile(path));
        Assert.Contains("Line 2 ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binary_key_longer_than_memcached_can_address_fails()
    {
        // Bytes that need base64 on the wire: at most 186 of them (248 base64 characters).
        var fits = "b64:" + Convert.ToBase64String(Enumerable.Repeat((byte)1, 186).ToArray());
        Assert.Equal(186, Read(KeySourceFiles.Write(fits))[0].Length);
        var path = KeySourceFiles.Write("x", "y", "z", "b64:" + Convert.ToBase64String(Enumerable.Repeat((byte)1, 187).ToArray()));
        var error = Assert.Throws<MemcacheException>(() => KeySource.FromFile(path));
        Assert.Contains("Line 4 ", error.Message, StringComparison.Ordinal);
        Assert.Contains("186", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_key_list_fails_on_its_first_long_line()
    {
        var path = Write(Enumerable.Repeat((byte)'x', 1 << 20).ToArray());
        var error = Assert.Throws<MemcacheException>(() => KeySource.FromFile(path));
        Assert.Contains("Line 1 ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<MemcacheException>(() => KeySource.FromFile("/nonexistent/keys.txt"));
        Assert.Equal("KeyFileNotFound", error.ErrorId);
        Assert.Contains("/nonexistent/keys.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_stops_answering_the_key_lookups_fails_within_the_read_timeout()
    {
        // More keys than the lookup's batches hold: the key file's reader must not wait for a batch forever.
        var path = KeySourceFiles.Write(Enumerable.Range(0, 2000).Select(i => $"key:{i}").ToArray());
        await using var server = new ScriptedServer(line => line.StartsWith("mg ", StringComparison.Ordinal) || line == "mn" ? [] : ScriptedServer.Preamble(line));
        var options = new MemcacheOps.Engine.Listing.ListingOptions
        {
            Connection = MemcacheOps.Engine.Connections.ConnectionOptions.Default with { ReadTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(2) },
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<MemcacheException>(() => MemcacheOps.Engine.Listing.KeyListingService.ScanAsync(
            MemcacheOps.Engine.Endpoints.ServerEndpoint.Parse(server.Endpoint), KeySource.FromFile(path), options, new MemcacheOps.Engine.Diagnostics.CollectingSink(),
            (_, _) => ValueTask.FromResult(true), CancellationToken.None));
        Assert.Equal("MemcacheReadTimeout", error.ErrorId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void Collected_keys_are_kept_exactly_and_a_bad_one_is_named_by_position()
    {
        using var collector = new KeyCollector("piped key");
        collector.Add("b64:looks-like-a-prefix");
        collector.Add("line\nbreak");
        collector.Add(new byte[] { 0, 255 });
        var source = collector.ToKeySource()!;
        Assert.Equal(3, source.Count);
        var keys = Read(Assert.IsType<GivenKeySource>(source).FilePath);
        Assert.Equal(["b64:looks-like-a-prefix"u8.ToArray(), "line\nbreak"u8.ToArray(), new byte[] { 0, 255 }], keys);
        var error = Assert.Throws<MemcacheException>(() => collector.Add(new string('k', 300)));
        Assert.Equal("KeyInvalid", error.ErrorId);
        Assert.Contains("piped key number 4", error.Message, StringComparison.Ordinal);
    }
}
