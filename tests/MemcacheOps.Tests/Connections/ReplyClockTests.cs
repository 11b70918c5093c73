using System.Diagnostics;
using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Connections;

/// <summary>
/// The reply clock: a reply that trickles in (every byte within the read timeout, the whole never) fails within
/// the timeout, while a long reply that keeps delivering 64 KiB within each timeout may take as long as it needs.
/// Both depend on the scripted server keeping its pace, so they run with the wall-clock tests, alone: at the start
/// of a full run, other tests starved the scripted server for a second, and its trickle looked like silence.
/// </summary>
[Collection(Throttling.RealClockCollection.Name)]
public sealed class ReplyClockTests
{
    [Fact]
    public async Task A_reply_trickled_a_byte_at_a_time_fails_within_the_timeout()
    {
        var stats = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"STAT field_{i} {i}\r\n")) + "END\r\n");
        await using var server = new ScriptedServer(line => line switch
        {
            "version" => [ScriptedServer.Ascii("VERSION 1.6.18\r\n")],
            // Every byte comes within 5 ms or so, far inside the read timeout; the whole takes over 7 s.
            "stats" => stats.SelectMany(b => new[] { new[] { b }, ScriptedServer.Pause(TimeSpan.FromMilliseconds(5)) }),
            _ => null,
        });
        var options = ConnectionOptions.Default with { ReadTimeout = TimeSpan.FromSeconds(2) };
        var (connection, _) = await ServerProbe.ConnectAsync(ServerEndpoint.Parse(server.Endpoint), options, CancellationToken.None);
        using (connection)
        {
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<MemcacheException>(() => StatsReader.ReadAsync(connection, StatsGroup.General, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

            Assert.Equal("MemcacheReplyTooSlow", error.ErrorId);
            Assert.Equal(MemcacheErrorKind.Timeout, error.Kind);
            Assert.Equal(server.Endpoint, error.Target);
            Assert.Contains("too slowly", error.Message, StringComparison.Ordinal);
            Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 6);
            Assert.InRange(connection.BytesReceived, 17, stats.Length - 1);
        }
    }

    [Fact]
    public async Task A_long_listing_that_keeps_delivering_takes_as_long_as_it_needs()
    {
        // Nine pieces of 48 KiB, 500 ms apart: 4.5 s in all, over twice the 2 s timeout, but 64 KiB arrive within
        // every 2 s (two pieces take 0.5 s, leaving 1.5 s of slack for a test machine busy with other tests).
        var line = Encoding.ASCII.GetBytes("key=k exp=-1 la=1 cas=1 fetch=no cls=1 size=10\n");
        var linesPerPiece = 48 * 1024 / line.Length;
        var piece = Enumerable.Repeat(line, linesPerPiece).SelectMany(b => b).ToArray();
        await using var server = new ScriptedServer(command => command == "lru_crawler metadump hash"
            ? Enumerable.Range(0, 9).SelectMany(i => new[] { piece, ScriptedServer.Pause(TimeSpan.FromMilliseconds(500)) }).Append(ScriptedServer.Ascii("END\r\n"))
            : ScriptedServer.Preamble(command));
        var sink = new CollectingSink();
        var clock = Stopwatch.StartNew();
        await KeyListingService.RunAsync(new KeyListingRequest
        {
            Servers = [ServerEndpoint.Parse(server.Endpoint)],
            CountOnly = true,
            Listing = new ListingOptions { Method = ListingMethod.MetadumpHash, Connection = ConnectionOptions.Default with { ReadTimeout = TimeSpan.FromSeconds(2) } },
        }, sink, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(sink.Errors);
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(4), $"took only {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(9L * linesPerPiece, Assert.Single(sink.ResultsOf<KeyCountResult>()).Count);
    }
}
