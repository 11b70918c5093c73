using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Tests.Cloud;

/// <summary>
/// S3 refusals the emulator does not produce (s3rver does not check Signature Version 4 signatures nor
/// permissions), answered by a fake endpoint in S3's error format. The fake echoes the secret key in its
/// messages to prove that reports never pass it on.
/// </summary>
public sealed class S3ErrorTests
{
    private const string Secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzzSECRET";

    [Theory]
    [InlineData(403, "SignatureDoesNotMatch", "AwsCredentialsInvalid", MemcacheErrorKind.AccessDenied)]
    [InlineData(403, "InvalidAccessKeyId", "AwsCredentialsInvalid", MemcacheErrorKind.AccessDenied)]
    [InlineData(400, "ExpiredToken", "AwsCredentialsInvalid", MemcacheErrorKind.AccessDenied)]
    [InlineData(403, "AccessDenied", "AwsAccessDenied", MemcacheErrorKind.AccessDenied)]
    [InlineData(404, "NoSuchBucket", "S3BucketNotFound", MemcacheErrorKind.ResourceUnavailable)]
    [InlineData(400, "InvalidArgument", "S3RequestFailed", MemcacheErrorKind.ServerError)]
    public async Task ServiceRefusalsBecomeClearErrorsWithoutSecrets(int status, string code, string errorId, MemcacheErrorKind kind)
    {
        using var server = new FakeHttpServer(_ => FakeResponse.Xml(status,
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>Refused for secret {Secret}.</Message><RequestId>R1</RequestId></Error>"));
        using var store = new S3ChunkStore(new CloudOptions { AccessKey = "AKIDEXAMPLE", SecretKey = Secret, EndpointUrl = server.Url },
            new S3TransferSettings { MaxRetries = 0 });

        var ex = await Assert.ThrowsAsync<MemcacheException>(async () =>
        {
            await foreach (var _ in store.ListAsync("chunks", "dump/", CancellationToken.None))
            {
            }
        });

        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(kind, ex.Kind);
        Assert.Equal("s3://chunks", ex.Target);
        Assert.Contains("listing of s3://chunks/dump/", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
    }
}
