using System.Diagnostics;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Tests.Cloud;

[Collection(CloudEmulatorCollection.Name)]
public sealed class SqsWorkQueueTests(CloudEmulators emulators) : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private readonly string _queueName = $"chunks-{Guid.NewGuid():N}";

    public void Dispose() => _timeout.Dispose();

    private CancellationToken Token => _timeout.Token;

    [Fact]
    public async Task AMissingQueueIsReportedAndCreatedOnRequest()
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions);

        var missing = await Assert.ThrowsAsync<MemcacheException>(() => queue.GetQueueUrlAsync(_queueName, createIfMissing: false, Token));
        var created = await queue.GetQueueUrlAsync(_queueName, createIfMissing: true, Token);
        var found = await queue.GetQueueUrlAsync(_queueName, createIfMissing: false, Token);

        Assert.Equal("SqsQueueNotFound", missing.ErrorId);
        Assert.Equal(MemcacheErrorKind.ResourceUnavailable, missing.Kind);
        Assert.Contains($"the queue '{_queueName}' does not exist", missing.Message, StringComparison.Ordinal);
        Assert.EndsWith("/" + _queueName, created, StringComparison.Ordinal);
        Assert.Equal(created, found);
    }

    [Fact]
    public async Task SendReceiveAndDeleteRoundTrip()
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions);
        var url = await queue.GetQueueUrlAsync(_queueName, createIfMissing: true, Token);
        var body = new DumpChunkAnnouncement
        {
            ReqId = "req-7",
            Host = "10.1.2.3",
            Location = new ObjectLocation("memcacheops-chunks", "dump/req-7/data_10.1.2.3__0_00FF"),
            KeysCount = 1234,
            Sha256 = new string('a', 64),
        }.ToJson();

        var id = await queue.SendMessageAsync(url, body, Token);
        var received = await queue.ReceiveMessagesAsync(url, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), Token);

        var message = Assert.Single(received);
        Assert.Equal(id, message.MessageId);
        Assert.Equal(body, message.Body);
        Assert.Equal(1, message.ReceiveCount);
        Assert.False(string.IsNullOrEmpty(message.ReceiptHandle));

        await queue.DeleteMessageAsync(url, message.ReceiptHandle, Token);
        Assert.Empty(await queue.ReceiveMessagesAsync(url, 10, TimeSpan.FromSeconds(30), TimeSpan.Zero, Token));
    }

    [Fact]
    public async Task AMessageNotDeletedComesBackAfterItsVisibilityTimeout()
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions);
        var url = await queue.GetQueueUrlAsync(_queueName, createIfMissing: true, Token);
        await queue.SendMessageAsync(url, "{\"n\":1}", Token);

        var first = Assert.Single(await queue.ReceiveMessagesAsync(url, 1, TimeSpan.FromSeconds(1), TimeSpan.Zero, Token));
        Assert.Empty(await queue.ReceiveMessagesAsync(url, 1, TimeSpan.FromSeconds(1), TimeSpan.Zero, Token));

        // Long polls of one second, at most ten of them: the message is due back after one.
        QueueMessage? again = null;
        var clock = Stopwatch.StartNew();
        for (var poll = 0; poll < 10 && again is null; poll++)
            again = (await queue.ReceiveMessagesAsync(url, 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), Token)).SingleOrDefault();

        Assert.NotNull(again);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.5), $"came back after {clock.Elapsed}");
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal(2, again.ReceiveCount);
        Assert.NotEqual(first.ReceiptHandle, again.ReceiptHandle);
        await queue.DeleteMessageAsync(url, again.ReceiptHandle, Token);
    }

    [Fact]
    public async Task ChangingVisibilityHidesLongerOrReleasesAtOnce()
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions);
        var url = await queue.GetQueueUrlAsync(_queueName, createIfMissing: true, Token);
        await queue.SendMessageAsync(url, "{\"n\":2}", Token);

        var held = Assert.Single(await queue.ReceiveMessagesAsync(url, 1, TimeSpan.FromSeconds(1), TimeSpan.Zero, Token));
        await queue.ChangeVisibilityAsync(url, held.ReceiptHandle, TimeSpan.FromSeconds(60), Token);
        // Past the original one second the message stays hidden, because its timeout was extended.
        Assert.Empty(await queue.ReceiveMessagesAsync(url, 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), Token));

        await queue.ChangeVisibilityAsync(url, held.ReceiptHandle, TimeSpan.Zero, Token);
        var released = Assert.Single(await queue.ReceiveMessagesAsync(url, 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, Token));
        Assert.Equal(held.MessageId, released.MessageId);
        Assert.Equal(2, released.ReceiveCount);
    }

    [Fact]
    public async Task ReceivingFromAnEmptyQueueWaitsThenReturnsNothing()
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions);
        var url = await queue.GetQueueUrlAsync(_queueName, createIfMissing: true, Token);
        var clock = Stopwatch.StartNew();

        Assert.Empty(await queue.ReceiveMessagesAsync(url, 5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), Token));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.5), $"returned after {clock.Elapsed}");
    }

    [Fact]
    public async Task AStaleReceiptHandleIsReported()
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions);
        var url = await queue.GetQueueUrlAsync(_queueName, createIfMissing: true, Token);

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.ChangeVisibilityAsync(url, "not-a-receipt", TimeSpan.FromSeconds(5), Token));

        Assert.Equal("SqsReceiptInvalid", ex.ErrorId);
        Assert.Contains("receive it anew", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendingToAMissingQueueIsReported()
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions);
        var url = $"{emulators.SqsEndpoint}/000000000000/{_queueName}";

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.SendMessageAsync(url, "{}", Token));

        Assert.Equal("SqsQueueNotFound", ex.ErrorId);
        Assert.Equal(url, ex.Target);
    }

    [Fact]
    public async Task AnUnreachableEndpointIsReported()
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions with { EndpointUrl = $"http://127.0.0.1:{S3ChunkStoreTests.ClosedPort()}" });

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.GetQueueUrlAsync("q", createIfMissing: false, Token));

        Assert.Equal("CloudEndpointUnreachable", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.ConnectionFailed, ex.Kind);
        Assert.DoesNotContain(emulators.SqsOptions.SecretKey!, ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    [InlineData(".fifo")]
    public async Task QueueNamesAreCheckedBeforeAnyRequest(string name)
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions);

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.GetQueueUrlAsync(name, createIfMissing: true, Token));

        Assert.Equal("SqsQueueNameInvalid", ex.ErrorId);
    }

    [Fact]
    public async Task ReceiveLimitsAreChecked()
    {
        using var queue = new SqsWorkQueue(emulators.SqsOptions);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.ReceiveMessagesAsync("u", 11, TimeSpan.Zero, TimeSpan.Zero, Token));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.ReceiveMessagesAsync("u", 1, TimeSpan.Zero, TimeSpan.FromSeconds(21), Token));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.ReceiveMessagesAsync("u", 1, TimeSpan.FromHours(13), TimeSpan.Zero, Token));
    }
}
