using System.Text;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Cloud;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Distributed;

/// <summary>
/// A queue consumer facing bad input: a corrupted chunk is reported and its message stays; malformed messages,
/// messages naming another bucket or a key that would leave the work folder, and messages naming missing
/// objects are reported, never crash the consumer, and are set aside as poison after MaxReceiveCount receives.
/// </summary>
[Collection(CloudEmulatorCollection.Name)]
public sealed class ConsumerFailureTests(CloudEmulators emulators) : IDisposable
{
    private readonly WarmUpKit _kit = new(emulators);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    public void Dispose()
    {
        _timeout.Dispose();
        _kit.Dispose();
    }

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public async Task ACorruptedChunkIsReportedAndItsMessageIsNotDeleted()
    {
        using var target = MemcachedProcess.Start();
        var queueUrl = await _kit.CreateQueueAsync(Token);
        var good = await ShipAsync("good.v0", "good:", 50, corrupt: false, queueUrl);
        var bad = await ShipAsync("bad.v0", "bad:", 50, corrupt: true, queueUrl);

        var sink = new CollectingSink();
        var result = await QueueConsumer.RunAsync(_kit.Consumer([target], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)), _kit.Clients, sink, Token);

        Assert.Equal("Idle", result.StopReason);
        Assert.Equal(1, result.Imported);
        Assert.True(result.Failed >= 1);
        var error = sink.Errors.First();
        Assert.All(sink.Errors, e => Assert.Equal("DumpChecksumMismatch", e.ErrorId));
        Assert.Equal(bad.ToString(), error.Target);
        Assert.Contains(bad.ToString(), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_kit.Folder, error.Message, StringComparison.Ordinal);
        Assert.Contains("stays in the queue", error.Message, StringComparison.Ordinal);

        var items = await ItemReader.ReadAsync(target.Endpoint, Enumerable.Range(0, 50).SelectMany(i => new[] { Key("good:", i), Key("bad:", i) }));
        Assert.Equal(50, items.Count);
        Assert.All(items.Keys, id => Assert.StartsWith(Convert.ToHexString(Encoding.ASCII.GetBytes("good:")), id, StringComparison.Ordinal));

        // The bad chunk's message was not deleted: it comes back once its visibility timeout has passed.
        using var queue = new SqsWorkQueue(_kit.Sqs);
        QueueMessage? again = null;
        for (var poll = 0; poll < 10 && again is null; poll++)
            again = (await queue.ReceiveMessagesAsync(queueUrl, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), Token)).SingleOrDefault();
        Assert.NotNull(again);
        Assert.Contains(bad.ToString(), again.Body, StringComparison.Ordinal);
        Assert.True(again.ReceiveCount >= 2);
        Assert.DoesNotContain(good.ToString(), again.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadMessagesAreReportedThenSetAsideAsPoisonWithoutStoppingTheConsumer()
    {
        using var target = MemcachedProcess.Start();
        var queueUrl = await _kit.CreateQueueAsync(Token);
        using var queue = new SqsWorkQueue(_kit.Sqs);
        string Announce(string bucket, string key) => new DumpChunkAnnouncement
        {
            ReqId = "r1",
            Host = "10.0.0.9",
            Location = new ObjectLocation(bucket, key),
            KeysCount = 1,
        }.ToJson();
        await queue.SendMessageAsync(queueUrl, "{ this is not json", Token);
        await queue.SendMessageAsync(queueUrl, Announce(CloudEmulators.OtherBucket, $"{_kit.Prefix}/r1/x.v0"), Token);
        await queue.SendMessageAsync(queueUrl, Announce(WarmUpKit.Bucket, "../../../../etc/cron.d/evil"), Token);
        await queue.SendMessageAsync(queueUrl, Announce(WarmUpKit.Bucket, $"{_kit.Prefix}/r1/never-uploaded.v0"), Token);
        var good = await ShipAsync("fine.v0", "fine:", 20, corrupt: false, queueUrl);

        var sink = new CollectingSink();
        var options = _kit.Consumer([target], TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1), maxReceiveCount: 1);
        var result = await QueueConsumer.RunAsync(options, _kit.Clients, sink, Token);

        Assert.Equal("Idle", result.StopReason);
        Assert.Equal(1, result.Imported);
        Assert.Equal(3, result.Refused);
        Assert.Equal(1, result.Failed);
        Assert.Equal(4, result.Poison);
        Assert.Equal(20, result.Stored);
        var ids = sink.Errors.GroupBy(e => e.ErrorId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, ids["SqsMessageInvalid"]);
        Assert.Equal(1, ids["S3ObjectNotFound"]);
        Assert.Equal(4, ids["SqsMessagePoison"]);
        Assert.Contains(sink.Errors, e => e.Message.Contains("not valid JSON", StringComparison.Ordinal));
        Assert.Contains(sink.Errors, e => e.Message.Contains($"names bucket '{CloudEmulators.OtherBucket}'", StringComparison.Ordinal));
        Assert.Contains(sink.Errors, e => e.Message.Contains("'..' segment", StringComparison.Ordinal));
        // Every download stayed inside the work folder, which is removed at the end.
        Assert.Empty(Directory.EnumerateFileSystemEntries(options.WorkFolder!));
        Assert.Equal(20, (await ItemReader.ReadAsync(target.Endpoint, Enumerable.Range(0, 20).Select(i => Key("fine:", i)))).Count);
        Assert.DoesNotContain(good.ToString(), string.Join("\n", sink.Errors.Select(e => e.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessageStaysHiddenFromOtherConsumersWhileItsChunkIsImported()
    {
        using var target = MemcachedProcess.Start();
        var queueUrl = await _kit.CreateQueueAsync(Token);
        await ShipAsync("slow.v0", "slow:", 300, corrupt: false, queueUrl);
        // Consumer A loads the chunk at 100 writes a second (about 3 s) with a visibility timeout of 2 s, so only
        // its extensions keep the message from consumer B, which polls the queue all along.
        var slow = _kit.Consumer([target], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        slow = slow with { Import = slow.Import with { MaxOperationsPerSecond = 100, FileParallelism = 1 } };
        var a = QueueConsumer.RunAsync(slow, _kit.Clients, new CollectingSink(), Token);
        await Task.Delay(TimeSpan.FromMilliseconds(500), Token);
        var b = QueueConsumer.RunAsync(_kit.Consumer([target], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2)), _kit.Clients, new CollectingSink(), Token);
        var results = await Task.WhenAll(a, b);

        Assert.Equal(1, results[0].Imported);
        Assert.Equal(0, results[0].Redelivered);
        Assert.True(results[0].Duration > TimeSpan.FromSeconds(2.5), $"the chunk took only {results[0].Duration}");
        Assert.Equal(0, results[1].Received);
    }

    private static byte[] Key(string prefix, int i) => Encoding.ASCII.GetBytes(prefix + i);

    /// <summary>
    /// Writes a small data file, uploads it (flipping one byte first when <paramref name="corrupt"/>, so it no
    /// longer matches the SHA-256 announced), and announces it as an export would.
    /// </summary>
    private async Task<ObjectLocation> ShipAsync(string name, string keyPrefix, int records, bool corrupt, string queueUrl)
    {
        var folder = Path.Combine(_kit.Folder, "ship");
        Directory.CreateDirectory(folder);
        DataFileInfo info;
        using (var writer = DataFileWriter.Create(folder, name))
        {
            for (var i = 0; i < records; i++)
                writer.Append(Key(keyPrefix, i), -1, (uint)i, Encoding.ASCII.GetBytes($"value {i} of {name}"));
            info = writer.Complete();
        }
        if (corrupt)
        {
            var bytes = File.ReadAllBytes(info.FullPath);
            bytes[^1] ^= 0xFF;
            File.WriteAllBytes(info.FullPath, bytes);
        }
        var location = new ObjectLocation(WarmUpKit.Bucket, $"{_kit.Prefix}/r1/{name}");
        var body = new DumpChunkAnnouncement
        {
            ReqId = "r1",
            Host = "10.0.0.9",
            Location = location,
            KeysCount = info.Records,
            Sha256 = info.Sha256,
            Records = info.Records,
            Bytes = info.Bytes,
            FormatVersion = 1,
        }.ToJson();
        using var store = new S3ChunkStore(_kit.S3);
        await store.UploadFileAsync(info.FullPath, location, new Dictionary<string, string> { [DumpChunkAnnouncement.MetadataName] = body }, null, Token);
        using var queue = new SqsWorkQueue(_kit.Sqs);
        await queue.SendMessageAsync(queueUrl, body, Token);
        return location;
    }
}
