using System.Globalization;
using System.Text;
using System.Text.Json;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Tests.Cloud;

/// <summary>
/// SQS behaviour fauxqs does not have: it never throttles, fails or corrupts a message. A fake endpoint answers in
/// SQS's JSON-protocol format instead, and records what the client sent: the credentials and region resolved from
/// the options (the SDK signs with them), refusals mapped to clear errors without secrets, what is retried and
/// what is not.
/// </summary>
public sealed class SqsServiceBehaviourTests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzzSECRET";
    private const string QueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/chunks";

    private static CloudOptions Options(FakeHttpServer server, string? sessionToken = null) => new()
    {
        AccessKey = AccessKey,
        SecretKey = Secret,
        SessionToken = sessionToken,
        EndpointUrl = server.Url,
        Region = "eu-west-1",
    };

    [Theory]
    [InlineData(null)]
    [InlineData("FQoGZXIvYXdzEXAMPLETOKEN//////////wEa")]
    public async Task RequestsAreSignedWithTheResolvedCredentialsAndRegion(string? sessionToken)
    {
        using var server = new FakeHttpServer(request => FakeResponse.Json(200,
            $"{{\"MessageId\":\"m-1\",\"MD5OfMessageBody\":\"{Md5Hex(JsonDocument.Parse(request.Body).RootElement.GetProperty("MessageBody").GetString()!)}\"}}"));
        using var queue = new SqsWorkQueue(Options(server, sessionToken));

        Assert.Equal("m-1", await queue.SendMessageAsync(QueueUrl, "{\"reqId\":\"r\"}", CancellationToken.None));

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("AmazonSQS.SendMessage", request.Headers["X-Amz-Target"]);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(QueueUrl, body.RootElement.GetProperty("QueueUrl").GetString());
        Assert.Equal("{\"reqId\":\"r\"}", body.RootElement.GetProperty("MessageBody").GetString());

        // Signature Version 4 (the SDK's) with the given key, for the given region and the sqs service, at the current time.
        var signedAt = DateTime.ParseExact(request.Headers["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"AWS4-HMAC-SHA256 Credential={AccessKey}/{signedAt:yyyyMMdd}/eu-west-1/sqs/aws4_request, SignedHeaders="),
            request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.True((DateTime.UtcNow - signedAt).Duration() < TimeSpan.FromMinutes(5), "signed with the current time");
        Assert.Equal(sessionToken, request.Headers.GetValueOrDefault("X-Amz-Security-Token"));
        Assert.DoesNotContain(Secret, string.Join("\n", request.Headers.Values), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403, "com.amazonaws.sqs#InvalidClientTokenId", "AwsCredentialsInvalid", MemcacheErrorKind.AccessDenied)]
    [InlineData(403, "com.amazon.coral.service#UnrecognizedClientException", "AwsCredentialsInvalid", MemcacheErrorKind.AccessDenied)]
    [InlineData(403, "com.amazon.coral.service#InvalidSignatureException", "AwsCredentialsInvalid", MemcacheErrorKind.AccessDenied)]
    [InlineData(400, "com.amazon.coral.service#ExpiredTokenException", "AwsCredentialsInvalid", MemcacheErrorKind.AccessDenied)]
    [InlineData(403, "com.amazon.coral.service#AccessDeniedException", "AwsAccessDenied", MemcacheErrorKind.AccessDenied)]
    [InlineData(400, "com.amazonaws.sqs#QueueDoesNotExist", "SqsQueueNotFound", MemcacheErrorKind.ResourceUnavailable)]
    [InlineData(400, "com.amazonaws.sqs#ReceiptHandleIsInvalid", "SqsReceiptInvalid", MemcacheErrorKind.InvalidArgument)]
    [InlineData(400, "com.amazonaws.sqs#InvalidParameterValue", "SqsRequestFailed", MemcacheErrorKind.InvalidArgument)]
    public async Task RefusalsBecomeClearErrorsWithoutSecrets(int status, string type, string errorId, MemcacheErrorKind kind)
    {
        using var server = new FakeHttpServer(_ => FakeResponse.Json(status, $"{{\"__type\":\"{type}\",\"message\":\"refused; your secret is {Secret}\"}}"));
        using var queue = new SqsWorkQueue(Options(server));

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.DeleteMessageAsync(QueueUrl, "receipt", CancellationToken.None));

        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(QueueUrl, ex.Target);
        Assert.Contains("SQS DeleteMessage failed", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
        Assert.Single(server.Requests); // refusals are not retried
    }

    [Fact]
    public async Task TheQueryErrorHeaderNamesAMissingQueue()
    {
        using var server = new FakeHttpServer(_ => new FakeResponse(400, "", new Dictionary<string, string>
        {
            ["x-amzn-query-error"] = "AWS.SimpleQueueService.NonExistentQueue;Sender",
        }));
        using var queue = new SqsWorkQueue(Options(server));

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.GetQueueUrlAsync("chunks", createIfMissing: false, CancellationToken.None));

        Assert.Equal("SqsQueueNotFound", ex.ErrorId);
    }

    [Fact]
    public async Task ThrottlingAndServerErrorsAreRetried()
    {
        var answers = new Queue<FakeResponse>(
        [
            FakeResponse.Json(400, "{\"__type\":\"com.amazonaws.sqs#ThrottlingException\",\"message\":\"Rate exceeded\"}"),
            FakeResponse.Json(500, "{\"__type\":\"com.amazonaws.sqs#InternalError\",\"message\":\"oops\"}"),
            FakeResponse.Json(200, "{\"QueueUrl\":\"" + QueueUrl + "\"}"),
        ]);
        using var server = new FakeHttpServer(_ => answers.Dequeue());
        using var queue = new SqsWorkQueue(Options(server));

        Assert.Equal(QueueUrl, await queue.GetQueueUrlAsync("chunks", createIfMissing: false, CancellationToken.None));
        Assert.Equal(3, server.Requests.Count);
        // Each attempt is signed afresh.
        Assert.All(server.Requests, r => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", r.Headers["Authorization"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetriesStopAfterAFewAttempts()
    {
        using var server = new FakeHttpServer(_ => FakeResponse.Json(503, "{\"__type\":\"com.amazonaws.sqs#ServiceUnavailable\",\"message\":\"down\"}"));
        using var queue = new SqsWorkQueue(Options(server));

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.GetQueueUrlAsync("chunks", createIfMissing: false, CancellationToken.None));

        Assert.Equal("SqsRequestFailed", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.Busy, ex.Kind);
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task AReplyThatIsNotJsonIsReported()
    {
        using var server = new FakeHttpServer(_ => new FakeResponse(200, "<html>captive portal</html>", new Dictionary<string, string>()));
        using var queue = new SqsWorkQueue(Options(server));

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.GetQueueUrlAsync("chunks", createIfMissing: false, CancellationToken.None));

        Assert.Equal("SqsRequestFailed", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.ProtocolError, ex.Kind);
    }

    [Fact]
    public async Task AMessageChangedInTransitIsReported()
    {
        using var server = new FakeHttpServer(_ => FakeResponse.Json(200,
            "{\"Messages\":[{\"MessageId\":\"m\",\"ReceiptHandle\":\"r\",\"Body\":\"{}\",\"MD5OfBody\":\"00000000000000000000000000000000\"}]}"));
        using var queue = new SqsWorkQueue(Options(server));

        var ex = await Assert.ThrowsAsync<MemcacheException>(() =>
            queue.ReceiveMessagesAsync(QueueUrl, 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

        Assert.Equal("SqsMessageCorrupted", ex.ErrorId);
    }

    [Fact]
    public async Task AMessageChangedOnItsWayToSqsIsReported()
    {
        using var server = new FakeHttpServer(_ => FakeResponse.Json(200, "{\"MessageId\":\"m-2\",\"MD5OfMessageBody\":\"00000000000000000000000000000000\"}"));
        using var queue = new SqsWorkQueue(Options(server));

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.SendMessageAsync(QueueUrl, "{\"reqId\":\"r\"}", CancellationToken.None));

        Assert.Equal("SqsMessageCorrupted", ex.ErrorId);
        Assert.Equal(QueueUrl, ex.Target);
    }

    [Fact]
    public async Task AnEndpointThatNeverAnswersFailsWithinItsTimeoutAndRetries()
    {
        // Accepts connections and reads requests, never answers. Counts the requests that arrive: the HTTP stack
        // may open a connection it never sends on (under load it sometimes does), so connections are not requests.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.Socket>();
        var requests = 0;
        using var stop = new CancellationTokenSource();
        var acceptLoop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(stop.Token);
                accepted.Add(socket);
                _ = Task.Run(async () =>
                {
                    var buffer = new byte[64 * 1024];
                    var seen = new System.Text.StringBuilder();
                    try
                    {
                        int read;
                        while ((read = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, stop.Token)) > 0)
                        {
                            seen.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
                            var text = seen.ToString();
                            var starts = 0;
                            for (var at = text.IndexOf("POST ", StringComparison.Ordinal); at >= 0; at = text.IndexOf("POST ", at + 5, StringComparison.Ordinal))
                                starts++;
                            if (starts > 0)
                            {
                                Interlocked.Add(ref requests, starts);
                                seen.Clear();
                            }
                        }
                    }
                    catch (Exception)
                    {
                        // The client gave up on the request or the test ended.
                    }
                });
            }
        });
        var options = new CloudOptions { AccessKey = AccessKey, SecretKey = Secret, Region = "eu-west-1",
            EndpointUrl = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}" };
        using var queue = new SqsWorkQueue(options, requestTimeout: TimeSpan.FromSeconds(1), maxRetries: 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<MemcacheException>(() => queue.SendMessageAsync(QueueUrl, "{}", CancellationToken.None));

        clock.Stop();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acceptLoop);
        foreach (var socket in accepted)
            socket.Dispose();
        Assert.Equal("CloudEndpointUnreachable", ex.ErrorId);
        Assert.Contains("no answer in time", ex.Message, StringComparison.Ordinal);
        // Two attempts of one second each (and the SDK's back-off between them), far below the 30 s default.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
        Assert.Equal(2, Volatile.Read(ref requests));
    }

    [Fact]
    public async Task ReceiveAsksForTheReceiveCountAndReadsIt()
    {
        using var server = new FakeHttpServer(_ => FakeResponse.Json(200,
            $"{{\"Messages\":[{{\"MessageId\":\"m\",\"ReceiptHandle\":\"r\",\"Body\":\"{{}}\",\"MD5OfBody\":\"{Md5Hex("{}")}\",\"Attributes\":{{\"ApproximateReceiveCount\":\"4\"}}}}]}}"));
        using var queue = new SqsWorkQueue(Options(server));

        var message = Assert.Single(await queue.ReceiveMessagesAsync(QueueUrl, 7, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(3), CancellationToken.None));

        Assert.Equal(new QueueMessage("m", "r", "{}", 4), message);
        using var body = JsonDocument.Parse(Assert.Single(server.Requests).Body);
        Assert.Equal(7, body.RootElement.GetProperty("MaxNumberOfMessages").GetInt32());
        Assert.Equal(45, body.RootElement.GetProperty("VisibilityTimeout").GetInt32());
        Assert.Equal(3, body.RootElement.GetProperty("WaitTimeSeconds").GetInt32());
        Assert.Equal("ApproximateReceiveCount", body.RootElement.GetProperty("MessageSystemAttributeNames")[0].GetString());
    }

    private static string Md5Hex(string text)
        => Convert.ToHexString(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
