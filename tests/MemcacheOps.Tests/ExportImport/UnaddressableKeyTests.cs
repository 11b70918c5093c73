using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Move;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.ExportImport;

/// <summary>
/// Keys memcached's meta protocol cannot address (over 186 bytes with bytes that need base64) exist on real
/// servers, stored through the binary protocol. An export skips them: the first few are named in warnings,
/// the rest only counted, with one summary at the end, so many of them do not flood the output.
/// </summary>
public sealed class UnaddressableKeyTests : IDisposable
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    private readonly MemcachedProcess _server = MemcachedProcess.Start();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mo-unaddressable-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _server.Dispose();
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task ManyUnaddressableKeys_GiveThreeNamedWarningsAndOneSummary_AndAreCountedAsSkipped()
    {
        const int unaddressable = 10;
        for (var i = 0; i < unaddressable; i++)
            await BinarySetAsync(UnaddressableKey(i), Encoding.ASCII.GetBytes("value " + i));
        await Seeder.StoreAsync(_server.Endpoint, Seeder.Numbered("plain:", 50));

        var sink = new CollectingSink();
        var result = await ExportService.RunAsync(new ExportOptions { Servers = [_server.ServerEndpoint], Path = _dir }, sink, CancellationToken.None);

        Assert.True(result.Complete);
        Assert.Equal(50, result.Dumped);
        Assert.Equal(unaddressable, result.Skipped);
        var about = sink.Warnings.Where(w => w.Contains("address", StringComparison.Ordinal)).ToList();
        Assert.True(about.Count <= 4, string.Join(Environment.NewLine, about));
        Assert.Equal(KeyFileFetcher.UnaddressableWarnings, about.Count(w => w.StartsWith("Skipped a key", StringComparison.Ordinal)));
        var summary = Assert.Single(about, w => !w.StartsWith("Skipped a key", StringComparison.Ordinal));
        Assert.Contains($"{unaddressable - KeyFileFetcher.UnaddressableWarnings} more key(s) could not be addressed", summary, StringComparison.Ordinal);
        Assert.Contains(result.Notes, n => n.StartsWith($"{unaddressable} key(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFewUnaddressableKeys_AreEachNamed_WithoutASummary()
    {
        for (var i = 0; i < 2; i++)
            await BinarySetAsync(UnaddressableKey(i), Encoding.ASCII.GetBytes("value " + i));
        await Seeder.StoreAsync(_server.Endpoint, Seeder.Numbered("plain:", 5));

        var sink = new CollectingSink();
        var result = await ExportService.RunAsync(new ExportOptions { Servers = [_server.ServerEndpoint], Path = _dir }, sink, CancellationToken.None);

        Assert.Equal(5, result.Dumped);
        Assert.Equal(2, result.Skipped);
        Assert.Equal(2, sink.Warnings.Count(w => w.StartsWith("Skipped a key", StringComparison.Ordinal)));
        Assert.DoesNotContain(sink.Warnings, w => w.Contains("more key(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMove_NamesTheFirstUnaddressableKeyOnce_AndCountsThemInItsResult()
    {
        for (var i = 0; i < 3; i++)
            await BinarySetAsync(UnaddressableKey(i), Encoding.ASCII.GetBytes("value " + i));
        await Seeder.StoreAsync(_server.Endpoint, Seeder.Numbered("plain:", 20));
        using var destination = MemcachedProcess.Start();

        var sink = new CollectingSink();
        var result = Assert.Single(await MoveService.RunAsync(new MoveOptions
        {
            Sources = [_server.ServerEndpoint],
            Destinations = [destination.ServerEndpoint],
            Passes = 2,
            ChangeThreshold = 0,
        }, sink, CancellationToken.None));

        Assert.Equal(2, result.Passes);
        Assert.Equal(20, result.Copied);
        Assert.Single(sink.Warnings, w => w.Contains("cannot address", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.StartsWith($"3 key(s) on {_server.Endpoint} cannot be addressed", StringComparison.Ordinal));
    }

    /// <summary>200 bytes with spaces: too long for base64 in the meta protocol (186 at most), fine for the binary protocol (250).</summary>
    private static byte[] UnaddressableKey(int i)
    {
        var key = Encoding.ASCII.GetBytes($"long key {i} ".PadRight(200, 'x'));
        Assert.False(KeyCodec.IsAddressable(key));
        return key;
    }

    /// <summary>Stores one item with the binary protocol's Set (memcached accepts it on the same port by default).</summary>
    private async Task BinarySetAsync(byte[] key, byte[] value)
    {
        using var timeout = new CancellationTokenSource(IoTimeout);
        using var client = new TcpClient();
        await client.ConnectAsync(_server.IPEndPoint, timeout.Token);
        var stream = client.GetStream();

        const int header = 24, extras = 8;
        var request = new byte[header + extras + key.Length + value.Length];
        request[0] = 0x80; // request magic
        request[1] = 0x01; // Set
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), (ushort)key.Length);
        request[4] = extras;
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(8), (uint)(extras + key.Length + value.Length));
        // Extras: flags 0, no expiry (both zero already).
        key.CopyTo(request.AsSpan(header + extras));
        value.CopyTo(request.AsSpan(header + extras + key.Length));
        await stream.WriteAsync(request, timeout.Token);

        var reply = new byte[header];
        await stream.ReadExactlyAsync(reply, timeout.Token);
        Assert.Equal(0x81, reply[0]);
        var status = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6));
        var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(8))];
        await stream.ReadExactlyAsync(body, timeout.Token);
        Assert.True(status == 0, $"binary Set answered status {status}: {Encoding.ASCII.GetString(body)}");
    }
}
