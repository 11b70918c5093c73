using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Adapters.Cloud.Sqs;

/// <summary>
/// <see cref="IWorkQueue"/> over plain HTTP with SQS's JSON protocol (AWSSDK.SQS is not available to this project;
/// the interface lets it replace this class later). Credentials and region come from AWSSDK.Core's resolution
/// chain (<see cref="AwsIdentity"/>), requests are signed by <see cref="SqsRequestSigner"/>. Throttling, server
/// errors and network failures are retried a few times with jittered back-off; every other failure becomes a
/// <see cref="MemcacheException"/> without secrets.
/// </summary>
public sealed class SqsWorkQueue : IWorkQueue
{
    public const int MaxMessagesPerReceive = 10;
    public const int MaxWaitSeconds = 20;
    public const int MaxVisibilitySeconds = 43200;

    private const int MaxAttempts = 4;
    private const string ReceiveCountAttribute = "ApproximateReceiveCount";

    private readonly HttpClient _http;
    private readonly AwsIdentity _identity;
    private readonly Uri _endpoint;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _requestTimeout;

    public SqsWorkQueue(CloudOptions options)
        : this(options, handler: null, clock: null, requestTimeout: null)
    {
    }

    internal SqsWorkQueue(CloudOptions options, HttpMessageHandler? handler, TimeProvider? clock, TimeSpan? requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(options);
        _identity = AwsIdentity.Resolve(options);
        _endpoint = options.EndpointUrl is not null
            ? new Uri(S3ChunkStore.CheckEndpoint(options.EndpointUrl) + "/")
            : new Uri($"https://sqs.{_identity.Region.SystemName}.amazonaws.com{(_identity.Region.SystemName.StartsWith("cn-", StringComparison.Ordinal) ? ".cn" : "")}/");
        _clock = clock ?? TimeProvider.System;
        _requestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each call sets its own, longer than its long-poll wait
        };
    }

    /// <summary>The service URL requests go to.</summary>
    public Uri Endpoint => _endpoint;

    public async Task<string> GetQueueUrlAsync(string queueName, bool createIfMissing, CancellationToken cancellationToken)
    {
        var problem = ProblemWithQueueName(queueName);
        if (problem is not null)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "SqsQueueNameInvalid",
                $"'{MessageText.Show(queueName ?? string.Empty)}' is not an SQS queue name: {problem}.", queueName);
        try
        {
            using var reply = await CallAsync("GetQueueUrl", w => w.WriteString("QueueName", queueName), queueName, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            return RequiredString(reply.RootElement, "QueueUrl", "GetQueueUrl");
        }
        catch (MemcacheException ex) when (createIfMissing && ex.ErrorId == "SqsQueueNotFound")
        {
            using var created = await CallAsync("CreateQueue", w => w.WriteString("QueueName", queueName), queueName, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            return RequiredString(created.RootElement, "QueueUrl", "CreateQueue");
        }
    }

    public async Task<string> SendMessageAsync(string queueUrl, string body, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(body);
        using var reply = await CallAsync("SendMessage", w =>
        {
            w.WriteString("QueueUrl", queueUrl);
            w.WriteString("MessageBody", body);
        }, queueUrl, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var root = reply.RootElement;
        var messageId = RequiredString(root, "MessageId", "SendMessage");
        if (root.TryGetProperty("MD5OfMessageBody", out var md5) && md5.ValueKind == JsonValueKind.String
            && !string.Equals(md5.GetString(), Md5Hex(body), StringComparison.OrdinalIgnoreCase))
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidData, "SqsMessageCorrupted",
                $"SQS stored message {messageId} on {queueUrl} with a different MD5 than was sent; the body was changed in transit. Send it again.", queueUrl);
        }
        return messageId;
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(string queueUrl, int maxMessages, TimeSpan visibilityTimeout,
        TimeSpan waitTime, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxMessagesPerReceive);
        var visibility = WholeSeconds(visibilityTimeout, MaxVisibilitySeconds, nameof(visibilityTimeout));
        var wait = WholeSeconds(waitTime, MaxWaitSeconds, nameof(waitTime));

        using var reply = await CallAsync("ReceiveMessage", w =>
        {
            w.WriteString("QueueUrl", queueUrl);
            w.WriteNumber("MaxNumberOfMessages", maxMessages);
            w.WriteNumber("VisibilityTimeout", visibility);
            w.WriteNumber("WaitTimeSeconds", wait);
            w.WriteStartArray("MessageSystemAttributeNames");
            w.WriteStringValue(ReceiveCountAttribute);
            w.WriteEndArray();
        }, queueUrl, TimeSpan.FromSeconds(wait), cancellationToken).ConfigureAwait(false);

        if (!reply.RootElement.TryGetProperty("Messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            return [];
        var result = new List<QueueMessage>(messages.GetArrayLength());
        foreach (var message in messages.EnumerateArray())
        {
            var body = RequiredString(message, "Body", "ReceiveMessage");
            var id = RequiredString(message, "MessageId", "ReceiveMessage");
            if (message.TryGetProperty("MD5OfBody", out var md5) && md5.ValueKind == JsonValueKind.String
                && !string.Equals(md5.GetString(), Md5Hex(body), StringComparison.OrdinalIgnoreCase))
            {
                throw new MemcacheException(MemcacheErrorKind.InvalidData, "SqsMessageCorrupted",
                    $"Message {id} from {queueUrl} does not match its MD5; it was changed in transit. It becomes visible again after its visibility timeout.", queueUrl);
            }
            var receiveCount = 1;
            if (message.TryGetProperty("Attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object
                && attributes.TryGetProperty(ReceiveCountAttribute, out var count) && count.ValueKind == JsonValueKind.String
                && int.TryParse(count.GetString(), out var parsed))
            {
                receiveCount = parsed;
            }
            result.Add(new QueueMessage(id, RequiredString(message, "ReceiptHandle", "ReceiveMessage"), body, receiveCount));
        }
        return result;
    }

    public async Task DeleteMessageAsync(string queueUrl, string receiptHandle, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(receiptHandle);
        using var _ = await CallAsync("DeleteMessage", w =>
        {
            w.WriteString("QueueUrl", queueUrl);
            w.WriteString("ReceiptHandle", receiptHandle);
        }, queueUrl, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    public async Task ChangeVisibilityAsync(string queueUrl, string receiptHandle, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(receiptHandle);
        var visibility = WholeSeconds(visibilityTimeout, MaxVisibilitySeconds, nameof(visibilityTimeout));
        using var _ = await CallAsync("ChangeMessageVisibility", w =>
        {
            w.WriteString("QueueUrl", queueUrl);
            w.WriteString("ReceiptHandle", receiptHandle);
            w.WriteNumber("VisibilityTimeout", visibility);
        }, queueUrl, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Queue names: 1-80 letters, digits, '-' and '_', FIFO queues ending in ".fifo".</summary>
    public static string? ProblemWithQueueName(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "it is empty";
        if (name.Length > 80)
            return $"it has {name.Length} characters (at most 80)";
        var stem = name.EndsWith(".fifo", StringComparison.Ordinal) ? name[..^5] : name;
        if (stem.Length == 0 || !stem.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return "only letters, digits, '-' and '_' are allowed (and a final .fifo)";
        return null;
    }

    /// <summary>
    /// Sends one action and returns the parsed reply, retrying what may succeed on a second try. The body is
    /// built once; each attempt is signed afresh so its date is current.
    /// </summary>
    private async Task<JsonDocument> CallAsync(string action, Action<Utf8JsonWriter> writeFields, string? target, TimeSpan longPoll,
        CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeFields(writer);
            writer.WriteEndObject();
        }
        var body = buffer.WrittenSpan.ToArray();

        for (var attempt = 1; ; attempt++)
        {
            var outcome = await AttemptAsync(action, body, target, longPoll, cancellationToken).ConfigureAwait(false);
            if (outcome.Reply is not null)
                return outcome.Reply;
            if (!outcome.Retryable || attempt >= MaxAttempts)
                throw outcome.Error!;
            // Full jitter over an exponential cap (100 ms, 200 ms, 400 ms ...), so many consumers do not retry in step.
            var cap = TimeSpan.FromMilliseconds(100 * (1 << (attempt - 1)));
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap.TotalMilliseconds), _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private readonly record struct Outcome(JsonDocument? Reply, MemcacheException? Error, bool Retryable);

    private async Task<Outcome> AttemptAsync(string action, byte[] body, string? target, TimeSpan longPoll, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout + longPoll);
        try
        {
            using var request = await SqsRequestSigner.CreateAsync(_endpoint, action, body, _identity.Credentials, _identity.Region,
                _clock.GetUtcNow().UtcDateTime, timeout.Token).ConfigureAwait(false);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var content = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
                return new Outcome(ParseReply(content, action), null, false);
            return Failure(action, target, response, content);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (MemcacheException)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            var reason = ex is OperationCanceledException ? $"no answer within {(_requestTimeout + longPoll).TotalSeconds:0} s" : _identity.Scrubber.Scrub(S3ChunkStore.Innermost(ex).Message);
            return new Outcome(null, new MemcacheException(MemcacheErrorKind.ConnectionFailed, "CloudEndpointUnreachable",
                $"SQS {action} failed: the endpoint {_endpoint} could not be reached ({reason}). Check the endpoint URL, the network and any proxy.",
                target, _identity.Scrubber.SafeInner(ex)), true);
        }
        catch (Amazon.Runtime.AmazonClientException ex)
        {
            // Raised while resolving credentials (an expired profile, an unreachable instance role).
            throw new MemcacheException(MemcacheErrorKind.AccessDenied, "AwsCredentialsNotFound",
                $"SQS {action} failed before reaching {_endpoint}: the credentials from {_identity.CredentialSource} could not be obtained ({_identity.Scrubber.Scrub(ex.Message)}).",
                target, _identity.Scrubber.SafeInner(ex));
        }
    }

    private Outcome Failure(string action, string? target, HttpResponseMessage response, byte[] content)
    {
        var (code, message) = ReadError(response, content);
        var detail = _identity.Scrubber.Scrub(string.IsNullOrEmpty(message) ? code : $"{code}: {message}");
        detail = MessageText.Show(detail, 300);
        var status = (int)response.StatusCode;
        MemcacheException Error(MemcacheErrorKind kind, string id, string text) => new(kind, id, text, target);

        switch (code)
        {
            case "QueueDoesNotExist" or "NonExistentQueue" or "AWS.SimpleQueueService.NonExistentQueue":
                return new(null, Error(MemcacheErrorKind.ResourceUnavailable, "SqsQueueNotFound",
                    $"SQS {action} failed: the queue '{target}' does not exist at {_endpoint}. Check the queue name and region."), false);
            case "ReceiptHandleIsInvalid" or "InvalidReceiptHandle" or "MessageNotInflight" or "AWS.SimpleQueueService.MessageNotInflight":
                return new(null, Error(MemcacheErrorKind.InvalidArgument, "SqsReceiptInvalid",
                    $"SQS {action} failed on {target}: the receipt handle is not valid ({detail}). The message was received again by someone else or its visibility ran out; receive it anew."), false);
            case "InvalidClientTokenId" or "UnrecognizedClientException" or "SignatureDoesNotMatch" or "IncompleteSignature"
                or "InvalidSignatureException" or "MissingAuthenticationToken" or "MissingAuthenticationTokenException"
                or "ExpiredToken" or "ExpiredTokenException" or "InvalidSecurity" or "RequestExpired":
                return new(null, Error(MemcacheErrorKind.AccessDenied, "AwsCredentialsInvalid",
                    $"SQS {action} failed: {_endpoint} refused the credentials from {_identity.CredentialSource} ({detail}). Check the access key and secret key, refresh the session token, and check this machine's clock."), false);
            case "AccessDenied" or "AccessDeniedException" or "KmsAccessDenied" or "KMS.AccessDeniedException":
                return new(null, Error(MemcacheErrorKind.AccessDenied, "AwsAccessDenied",
                    $"SQS {action} failed: {_endpoint} denied access to the credentials from {_identity.CredentialSource} on '{target}' ({detail}). Grant them the SQS permission for this queue."), false);
            case "ThrottlingException" or "RequestThrottled" or "Throttling" or "ServiceUnavailable" or "InternalError" or "InternalFailure"
                or "KmsThrottled" or "KMS.ThrottlingException":
                return new(null, Error(MemcacheErrorKind.Busy, "SqsRequestFailed",
                    $"SQS {action} failed: {_endpoint} is busy or failing ({status} {detail}). Try again later."), true);
        }
        return new(null, Error(status >= 500 ? MemcacheErrorKind.ServerError : MemcacheErrorKind.InvalidArgument, "SqsRequestFailed",
            $"SQS {action} failed on '{target}': {_endpoint} answered {status} ({detail})."), status >= 500);
    }

    /// <summary>
    /// Reads the error code from a JSON-protocol error body (<c>{"__type": "com.amazonaws.sqs#Code", "message": ...}</c>)
    /// or, failing that, from the <c>x-amzn-query-error</c> header (<c>AWS.SimpleQueueService.Code;Sender</c>).
    /// </summary>
    private static (string Code, string Message) ReadError(HttpResponseMessage response, byte[] content)
    {
        string code = string.Empty, message = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.String)
                        continue;
                    if (property.NameEquals("__type") || property.NameEquals("code") || property.NameEquals("Code"))
                        code = property.Value.GetString()!;
                    else if (property.NameEquals("message") || property.NameEquals("Message"))
                        message = property.Value.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            message = Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 200));
        }
        var hash = code.LastIndexOf('#');
        if (hash >= 0)
            code = code[(hash + 1)..];
        if (response.Headers.TryGetValues("x-amzn-query-error", out var values))
        {
            var queryCode = values.FirstOrDefault()?.Split(';')[0];
            if (!string.IsNullOrEmpty(queryCode) && (code.Length == 0 || queryCode.EndsWith("NonExistentQueue", StringComparison.Ordinal)))
                code = queryCode;
        }
        if (code.Length == 0)
            code = response.StatusCode == HttpStatusCode.Forbidden ? "AccessDenied" : response.StatusCode.ToString();
        return (code, message);
    }

    private JsonDocument ParseReply(byte[] content, string action)
    {
        try
        {
            return content.Length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new MemcacheException(MemcacheErrorKind.ProtocolError, "SqsRequestFailed",
                $"SQS {action} got a reply from {_endpoint} that is not JSON. Check that the endpoint is an SQS service speaking the JSON protocol.", null, ex);
        }
    }

    private string RequiredString(JsonElement element, string name, string action)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new MemcacheException(MemcacheErrorKind.ProtocolError, "SqsRequestFailed",
                $"SQS {action} got a reply from {_endpoint} without '{name}'. Check that the endpoint is an SQS service.");

    private static int WholeSeconds(TimeSpan value, int max, string name)
    {
        var seconds = (int)Math.Ceiling(value.TotalSeconds);
        if (seconds < 0 || seconds > max)
            throw new ArgumentOutOfRangeException(name, value, $"Must be from 0 to {max} seconds.");
        return seconds;
    }

    private static string Md5Hex(string text) => Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
