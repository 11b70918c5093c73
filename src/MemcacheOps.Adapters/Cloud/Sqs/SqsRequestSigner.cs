using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace MemcacheOps.Adapters.Cloud.Sqs;

/// <summary>
/// Builds one signed SQS JSON-protocol request: <c>POST /</c> with <c>Content-Type: application/x-amz-json-1.0</c>
/// and <c>X-Amz-Target: AmazonSQS.&lt;Action&gt;</c>, signed with Signature Version 4 by AWSSDK.Core's public
/// <see cref="AWSSigV4Signer"/>. The signer always adds and signs <c>X-Amz-Content-SHA256</c> (here the body's
/// real hash), which SQS accepts like any other signed header.
/// </summary>
internal static class SqsRequestSigner
{
    public const string Service = "sqs";
    public const string ContentType = "application/x-amz-json-1.0";
    public const string TargetPrefix = "AmazonSQS.";

    public static async Task<HttpRequestMessage> CreateAsync(Uri endpoint, string action, byte[] body, AWSCredentials credentials,
        RegionEndpoint region, DateTime signedAtUtc, CancellationToken cancellationToken)
    {
        var uri = new Uri(endpoint, "/");
        var signing = new AWSSigningRequest
        {
            HttpMethod = HttpMethod.Post,
            RequestUri = uri,
            Content = body,
        };
        signing.Headers["Content-Type"] = ContentType;
        signing.Headers["X-Amz-Target"] = TargetPrefix + action;

        var signed = await AWSSigV4Signer.SignAsync(signing, new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = region,
            Service = Service,
            SignPayload = true,
            SignedAt = signedAtUtc,
        }, cancellationToken).ConfigureAwait(false);

        var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(body),
        };
        // Exactly the signed value: HttpClient would otherwise add "; charset=..." to a parsed media type.
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + action);
        foreach (var (name, value) in signed.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
                request.Content.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ContentType));
        return request;
    }
}
