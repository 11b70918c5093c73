using System.Globalization;
using System.Net;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Adapters.Cloud;

/// <summary>
/// <see cref="IWorkQueue"/> over AWSSDK.SQS, with the credentials and region of the S3 store (<see cref="AwsIdentity"/>:
/// explicit keys, the named profile, the default chain) and the same endpoint override for SQS-compatible services
/// and emulators. The SDK signs, retries throttling, server and network failures with jittered back-off (standard
/// retry mode), and checks the MD5 of every message sent and received; every failure it reports becomes a
/// <see cref="MemcacheException"/> with a stable id and without secrets.
/// </summary>
public sealed class SqsWorkQueue : IWorkQueue
{
    public const int MaxMessagesPerReceive = 10;
    public const int MaxWaitSeconds = 20;
    public const int MaxVisibilitySeconds = 43200;

    /// <summary>Retries of one call after a throttling, server or network error (so four attempts in all).</summary>
    public const int DefaultMaxRetries = 3;

    private const string ReceiveCountAttribute = "ApproximateReceiveCount";

    private static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    private readonly AmazonSQSClient _client;
    private readonly AmazonSQSClient _longPollClient;
    private readonly AwsIdentity _identity;
    private readonly string _endpointDescription;
    private readonly int _maxRetries;

    public SqsWorkQueue(CloudOptions options)
        : this(options, requestTimeout: null, maxRetries: null)
    {
    }

    /// <param name="options">Where and as whom.</param>
    /// <param name="requestTimeout">Time one HTTP attempt may take, beyond a receive's long-poll wait (default 30 s).</param>
    /// <param name="maxRetries">Retries after a retryable failure (default <see cref="DefaultMaxRetries"/>).</param>
    internal SqsWorkQueue(CloudOptions options, TimeSpan? requestTimeout, int? maxRetries)
    {
        ArgumentNullException.ThrowIfNull(options);
        _identity = AwsIdentity.Resolve(options);
        _maxRetries = maxRetries ?? DefaultMaxRetries;
        var timeout = requestTimeout ?? DefaultRequestTimeout;
        var endpoint = options.EndpointUrl is null ? null : S3ChunkStore.CheckEndpoint(options.EndpointUrl);
        _endpointDescription = endpoint is null ? $"SQS in {_identity.Region.SystemName}" : $"the SQS endpoint {endpoint}";
        _client = CreateClient(endpoint, timeout);
        // The SDK's timeout is per client: receives wait up to MaxWaitSeconds for a message before SQS answers.
        _longPollClient = CreateClient(endpoint, timeout + TimeSpan.FromSeconds(MaxWaitSeconds));
    }

    private AmazonSQSClient CreateClient(string? endpoint, TimeSpan timeout)
    {
        var config = new AmazonSQSConfig
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = _maxRetries,
            Timeout = timeout,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = _identity.Region.SystemName;
        }
        else
        {
            config.RegionEndpoint = _identity.Region;
        }
        return new AmazonSQSClient(_identity.Credentials, config);
    }

    public async Task<string> GetQueueUrlAsync(string queueName, bool createIfMissing, CancellationToken cancellationToken)
    {
        var problem = ProblemWithQueueName(queueName);
        if (problem is not null)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "SqsQueueNameInvalid",
                $"'{MessageText.Show(queueName ?? string.Empty)}' is not an SQS queue name: {problem}.", queueName);
        try
        {
            var found = await CallAsync("GetQueueUrl", queueName, token => _client.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = queueName }, token),
                cancellationToken).ConfigureAwait(false);
            return Required(found.QueueUrl, "QueueUrl", "GetQueueUrl");
        }
        catch (MemcacheException ex) when (createIfMissing && ex.ErrorId == "SqsQueueNotFound")
        {
            var created = await CallAsync("CreateQueue", queueName, token => _client.CreateQueueAsync(new CreateQueueRequest { QueueName = queueName }, token),
                cancellationToken).ConfigureAwait(false);
            return Required(created.QueueUrl, "QueueUrl", "CreateQueue");
        }
    }

    public async Task<string> SendMessageAsync(string queueUrl, string body, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(body);
        var sent = await CallAsync("SendMessage", queueUrl, token => _client.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = queueUrl,
            MessageBody = body,
        }, token), cancellationToken).ConfigureAwait(false);
        return Required(sent.MessageId, "MessageId", "SendMessage");
    }

    public async Task<IReadOnlyList<QueueMessage>> ReceiveMessagesAsync(string queueUrl, int maxMessages, TimeSpan visibilityTimeout,
        TimeSpan waitTime, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxMessagesPerReceive);
        var visibility = WholeSeconds(visibilityTimeout, MaxVisibilitySeconds, nameof(visibilityTimeout));
        var wait = WholeSeconds(waitTime, MaxWaitSeconds, nameof(waitTime));

        var received = await CallAsync("ReceiveMessage", queueUrl, token => _longPollClient.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = queueUrl,
            MaxNumberOfMessages = maxMessages,
            VisibilityTimeout = visibility,
            WaitTimeSeconds = wait,
            MessageSystemAttributeNames = [ReceiveCountAttribute],
        }, token), cancellationToken).ConfigureAwait(false);

        if (received.Messages is not { Count: > 0 } messages)
            return [];
        var result = new List<QueueMessage>(messages.Count);
        foreach (var message in messages)
        {
            var receiveCount = 1;
            if (message.Attributes?.TryGetValue(ReceiveCountAttribute, out var count) == true
                && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                receiveCount = parsed;
            }
            result.Add(new QueueMessage(
                Required(message.MessageId, "MessageId", "ReceiveMessage"),
                Required(message.ReceiptHandle, "ReceiptHandle", "ReceiveMessage"),
                message.Body ?? string.Empty,
                receiveCount));
        }
        return result;
    }

    public Task DeleteMessageAsync(string queueUrl, string receiptHandle, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(receiptHandle);
        return CallAsync("DeleteMessage", queueUrl, token => _client.DeleteMessageAsync(new DeleteMessageRequest
        {
            QueueUrl = queueUrl,
            ReceiptHandle = receiptHandle,
        }, token), cancellationToken);
    }

    public Task ChangeVisibilityAsync(string queueUrl, string receiptHandle, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(receiptHandle);
        var visibility = WholeSeconds(visibilityTimeout, MaxVisibilitySeconds, nameof(visibilityTimeout));
        return CallAsync("ChangeMessageVisibility", queueUrl, token => _client.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest
        {
            QueueUrl = queueUrl,
            ReceiptHandle = receiptHandle,
            VisibilityTimeout = visibility,
        }, token), cancellationToken);
    }

    public void Dispose()
    {
        _client.Dispose();
        _longPollClient.Dispose();
    }

    /// <summary>
    /// Queue names: 1-80 letters, digits, '-' and '_', FIFO queues ending in ".fifo". Checked before any request, so
    /// a typing mistake is named as such rather than reported as a missing queue.
    /// </summary>
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

    /// <summary>One SDK call (with the SDK's own retries); its failures become MemcacheExceptions, the caller's cancellation passes through.</summary>
    private async Task<T> CallAsync<T>(string action, string? target, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not MemcacheException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            throw Translate(ex, action, target);
        }
    }

    private MemcacheException Translate(Exception ex, string action, string? target)
    {
        var inner = _identity.Scrubber.SafeInner(ex);
        MemcacheException Error(MemcacheErrorKind kind, string id, string text) => new(kind, id, text, target, inner);

        // The SDK compares the MD5 SQS reports for each message with the body it got (AmazonSQSException, no status).
        if (ex is AmazonSQSException { StatusCode: 0 } checksum && checksum.Message.Contains("MD5", StringComparison.Ordinal))
            return Error(MemcacheErrorKind.InvalidData, "SqsMessageCorrupted",
                $"SQS {action} on {target}: a message body does not match its MD5, so it was changed in transit ({checksum.Message}). A received message becomes visible again after its visibility timeout; a sent one can be sent again.");
        if (ex is AmazonServiceException { StatusCode: not 0 } service and not AmazonUnmarshallingException)
        {
            var code = service.ErrorCode ?? string.Empty;
            var status = (int)service.StatusCode;
            var detail = MessageText.Show(_identity.Scrubber.Scrub(string.IsNullOrEmpty(service.Message) ? code : $"{code}: {service.Message}"), 300);
            if (ex is QueueDoesNotExistException || QueueMissingCodes.Contains(code))
                return Error(MemcacheErrorKind.ResourceUnavailable, "SqsQueueNotFound",
                    $"SQS {action} failed: the queue '{target}' does not exist at {_endpointDescription}. Check the queue name and region.");
            if (ex is ReceiptHandleIsInvalidException or MessageNotInflightException || StaleReceiptCodes.Contains(code))
                return Error(MemcacheErrorKind.InvalidArgument, "SqsReceiptInvalid",
                    $"SQS {action} failed on {target}: the receipt handle is not valid ({detail}). The message was received again by someone else or its visibility ran out; receive it anew.");
            if (ex is InvalidSecurityException || RefusedCredentialCodes.Contains(code))
                return Error(MemcacheErrorKind.AccessDenied, "AwsCredentialsInvalid",
                    $"SQS {action} failed: {_endpointDescription} refused the credentials from {_identity.CredentialSource} ({detail}). Check the access key and secret key, refresh the session token, and check this machine's clock.");
            if (ex is KmsAccessDeniedException || AccessDeniedCodes.Contains(code) || service.StatusCode == HttpStatusCode.Forbidden)
                return Error(MemcacheErrorKind.AccessDenied, "AwsAccessDenied",
                    $"SQS {action} failed: {_endpointDescription} denied access to the credentials from {_identity.CredentialSource} on '{target}' ({detail}). Grant them the SQS permission for this queue.");
            if (status >= 500 || ThrottlingCodes.Contains(code))
                return Error(MemcacheErrorKind.Busy, "SqsRequestFailed",
                    $"SQS {action} failed: {_endpointDescription} is busy or failing ({status} {detail}), also after {_maxRetries} retries. Try again later.");
            return Error(MemcacheErrorKind.InvalidArgument, "SqsRequestFailed",
                $"SQS {action} failed on '{target}': {_endpointDescription} answered {status} ({detail}).");
        }
        if (S3ChunkStore.IsNetworkFailure(ex))
        {
            var reason = ex is OperationCanceledException or TimeoutException ? "no answer in time" : _identity.Scrubber.Scrub(S3ChunkStore.Innermost(ex).Message);
            return Error(MemcacheErrorKind.ConnectionFailed, "CloudEndpointUnreachable",
                $"SQS {action} failed: {_endpointDescription} could not be reached ({reason}). Check the endpoint URL, the network and any proxy.");
        }
        if (ex is AmazonServiceException)
            return Error(MemcacheErrorKind.ProtocolError, "SqsRequestFailed",
                $"SQS {action} got a reply from {_endpointDescription} that is not an SQS answer ({_identity.Scrubber.Scrub(S3ChunkStore.Innermost(ex).Message)}). Check that the endpoint is an SQS service.");
        if (ex is AmazonClientException credentials)
            // Raised while resolving credentials (an expired profile, an unreachable instance role).
            return Error(MemcacheErrorKind.AccessDenied, "AwsCredentialsNotFound",
                $"SQS {action} failed before reaching {_endpointDescription}: the credentials from {_identity.CredentialSource} could not be obtained ({_identity.Scrubber.Scrub(credentials.Message)}).");
        return Error(MemcacheErrorKind.ServerError, "SqsRequestFailed", $"SQS {action} failed: {_identity.Scrubber.Scrub(ex.Message)}");
    }

    // Error codes as SQS sends them in its JSON protocol, in its older query protocol (x-amzn-query-error) and
    // as compatible services spell them.
    private static readonly HashSet<string> QueueMissingCodes = new(StringComparer.Ordinal)
        { "QueueDoesNotExist", "NonExistentQueue", "AWS.SimpleQueueService.NonExistentQueue" };

    private static readonly HashSet<string> StaleReceiptCodes = new(StringComparer.Ordinal)
        { "ReceiptHandleIsInvalid", "InvalidReceiptHandle", "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight" };

    private static readonly HashSet<string> RefusedCredentialCodes = new(StringComparer.Ordinal)
    {
        "InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "IncompleteSignature", "InvalidSignatureException",
        "MissingAuthenticationToken", "MissingAuthenticationTokenException", "ExpiredToken", "ExpiredTokenException", "InvalidSecurity", "RequestExpired",
    };

    private static readonly HashSet<string> AccessDeniedCodes = new(StringComparer.Ordinal)
        { "AccessDenied", "AccessDeniedException", "KmsAccessDenied", "KMS.AccessDeniedException" };

    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
        { "ThrottlingException", "RequestThrottled", "Throttling", "KmsThrottled", "KMS.ThrottlingException" };

    private string Required(string? value, string name, string action)
        => !string.IsNullOrEmpty(value)
            ? value
            : throw new MemcacheException(MemcacheErrorKind.ProtocolError, "SqsRequestFailed",
                $"SQS {action} got a reply from {_endpointDescription} without '{name}'. Check that the endpoint is an SQS service.");

    private static int WholeSeconds(TimeSpan value, int max, string name)
    {
        var seconds = (int)Math.Ceiling(value.TotalSeconds);
        if (seconds < 0 || seconds > max)
            throw new ArgumentOutOfRangeException(name, value, $"Must be from 0 to {max} seconds.");
        return seconds;
    }
}
