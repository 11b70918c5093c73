using System.Security.Cryptography;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using MemcacheOps.Adapters.Cloud.Sqs;

namespace MemcacheOps.Tests.Cloud;

/// <summary>
/// Signature Version 4, proven with AWS's published test suite (aws-sig-v4-test-suite: credentials AKIDEXAMPLE,
/// region us-east-1, service "service", 20150830T123600Z). The suite's requests sign only the headers they carry,
/// while AWSSDK.Core's signer always adds and signs X-Amz-Content-SHA256, so the proof has two steps: the
/// reference signer reproduces every vector exactly (canonical request, string to sign, Authorization), and the
/// SDK signer (what the SQS client uses) then produces the reference's signature for the same requests plus that
/// header, and for requests shaped like the SQS client's.
/// </summary>
public sealed class SigV4SignerTests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Region = "us-east-1";
    private const string Service = "service";
    private const string Host = "example.amazonaws.com";
    private const string AmzDate = "20150830T123600Z";
    private const string EmptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string SessionToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
    private const string Unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly DateTime SignedAt = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    /// <summary>One suite case: the request (host and date headers are added) and its expected signature.</summary>
    public sealed record Vector(string Name, string Method, string Path, (string, string)[] Query, (string, string)[] Headers,
        string Body, string SignedHeaders, string Signature)
    {
        public override string ToString() => Name;
    }

    private static readonly Vector[] All =
    [
        new("get-vanilla", "GET", "/", [], [], "", "host;x-amz-date",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new("get-vanilla-empty-query-key", "GET", "/", [("Param1", "value1")], [], "", "host;x-amz-date",
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        new("get-vanilla-query-order-key-case", "GET", "/", [("Param2", "value2"), ("Param1", "value1")], [], "", "host;x-amz-date",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        new("get-vanilla-query-unreserved", "GET", "/", [(Unreserved, Unreserved)], [], "", "host;x-amz-date",
            "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        new("get-vanilla-utf8-query", "GET", "/", [("\u1234", "bar")], [], "", "host;x-amz-date",
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        new("get-unreserved", "GET", "/" + Unreserved, [], [], "", "host;x-amz-date",
            "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        new("get-utf8", "GET", "/\u1234", [], [], "", "host;x-amz-date",
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        new("get-header-key-duplicate", "GET", "/", [], [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")], "",
            "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        new("get-header-value-order", "GET", "/", [], [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")], "",
            "host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        new("get-header-value-trim", "GET", "/", [], [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")], "",
            "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        new("post-vanilla", "POST", "/", [], [], "", "host;x-amz-date",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        new("post-vanilla-query", "POST", "/", [("Param1", "value1")], [], "", "host;x-amz-date",
            "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        new("post-vanilla-query-nonunreserved", "POST", "/", [("@#$%^", ""), ("+", "/,?><`\";:\\|][{}")], [], "", "host;x-amz-date",
            "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"),
        new("post-header-key-case", "POST", "/", [], [], "", "host;x-amz-date",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        new("post-header-key-sort", "POST", "/", [], [("My-Header1", "value1")], "", "host;my-header1;x-amz-date",
            "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        new("post-header-value-case", "POST", "/", [], [("My-Header1", "VALUE1")], "", "host;my-header1;x-amz-date",
            "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        new("post-sts-header-before", "POST", "/", [], [("X-Amz-Security-Token", SessionToken)], "", "host;x-amz-date;x-amz-security-token",
            "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
        new("post-x-www-form-urlencoded", "POST", "/", [], [("Content-Type", "application/x-www-form-urlencoded")], "Param1=value1",
            "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        new("post-x-www-form-urlencoded-parameters", "POST", "/", [], [("Content-Type", "application/x-www-form-urlencoded; charset=utf8")], "Param1=value1",
            "content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
    ];

    public static TheoryData<Vector> Vectors()
    {
        var data = new TheoryData<Vector>();
        foreach (var vector in All)
            data.Add(vector);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void ReferenceSignerReproducesEachSuiteVector(Vector vector)
    {
        var headers = new List<(string, string)> { (vector.Name == "post-header-key-case" ? "HOST" : "Host", Host) };
        headers.AddRange(vector.Headers);
        headers.Add((vector.Name == "post-header-key-case" ? "X-AMZ-DATE" : "X-Amz-Date", AmzDate));

        var result = SigV4Reference.Sign(
            new SigV4Reference.Request(vector.Method, Host, vector.Path, vector.Query, headers, Encoding.UTF8.GetBytes(vector.Body)),
            AccessKey, SecretKey, Region, Service, SignedAt);

        Assert.Equal(vector.Signature, result.Signature);
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={vector.SignedHeaders}, Signature={vector.Signature}",
            result.Authorization);
    }

    // The suite's canonical requests and strings to sign, checked byte for byte where the suite publishes them.
    [Theory]
    [InlineData("get-vanilla",
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + EmptyBodyHash,
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")]
    [InlineData("get-vanilla-query-order-key-case",
        "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + EmptyBodyHash,
        "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0")]
    [InlineData("post-vanilla-query",
        "POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + EmptyBodyHash,
        "9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd")]
    [InlineData("post-header-key-sort",
        "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" + EmptyBodyHash,
        "9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65")]
    [InlineData("post-x-www-form-urlencoded",
        "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
        "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281")]
    public void ReferenceSignerBuildsTheSuitesCanonicalRequestAndStringToSign(string name, string canonicalRequest, string canonicalRequestHash)
    {
        var vector = All.Single(v => v.Name == name);
        var headers = new List<(string, string)> { ("Host", Host) };
        headers.AddRange(vector.Headers);
        headers.Add(("X-Amz-Date", AmzDate));

        var result = SigV4Reference.Sign(
            new SigV4Reference.Request(vector.Method, Host, vector.Path, vector.Query, headers, Encoding.UTF8.GetBytes(vector.Body)),
            AccessKey, SecretKey, Region, Service, SignedAt);

        Assert.Equal(canonicalRequest, result.CanonicalRequest);
        Assert.Equal($"AWS4-HMAC-SHA256\n{AmzDate}\n20150830/us-east-1/service/aws4_request\n{canonicalRequestHash}", result.StringToSign);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void SdkSignerAgreesWithTheReferenceOnEachSuiteRequest(Vector vector)
    {
        var body = Encoding.UTF8.GetBytes(vector.Body);
        var usesToken = vector.Headers.Any(h => h.Item1 == "X-Amz-Security-Token");
        var sdkRequest = new AWSSigningRequest
        {
            HttpMethod = new HttpMethod(vector.Method),
            RequestUri = new Uri($"https://{Host}{EncodedPath(vector.Path)}{EncodedQuery(vector.Query)}"),
            Content = body,
        };
        foreach (var (name, value) in vector.Headers.Where(h => h.Item1 != "X-Amz-Security-Token"))
            sdkRequest.Headers[name] = sdkRequest.Headers.TryGetValue(name, out var earlier) ? $"{earlier},{value.Trim()}" : value;
        AWSCredentials credentials = usesToken
            ? new SessionAWSCredentials(AccessKey, SecretKey, SessionToken)
            : new BasicAWSCredentials(AccessKey, SecretKey);

        var sdk = AWSSigV4Signer.Sign(sdkRequest, new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = RegionEndpoint.USEast1,
            Service = Service,
            SignPayload = true,
            SignedAt = SignedAt,
        });

        var bodyHash = SigV4Reference.Hex(SHA256.HashData(body));
        Assert.Equal(bodyHash, sdk.Headers["X-Amz-Content-SHA256"]);
        Assert.Equal(AmzDate, sdk.Headers["X-Amz-Date"]);
        var headers = new List<(string, string)> { ("Host", Host) };
        headers.AddRange(vector.Headers);
        headers.Add(("X-Amz-Date", AmzDate));
        headers.Add(("X-Amz-Content-SHA256", bodyHash));
        // For services other than S3 the SDK URI-encodes the path once more after its wire encoding (AWS's
        // documented double encoding), where the suite's get-utf8 encodes the raw path once. Only paths with
        // characters outside the unreserved set differ; SQS requests always go to "/".
        var canonicalPath = vector.Name == "get-utf8" ? EncodedPath(vector.Path) : vector.Path;
        var expected = SigV4Reference.Sign(
            new SigV4Reference.Request(vector.Method, Host, canonicalPath, vector.Query, headers, body), AccessKey, SecretKey, Region, Service, SignedAt);
        Assert.Equal(expected.Authorization, sdk.Headers["Authorization"]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:4566", "127.0.0.1:4566", false)]
    [InlineData("https://sqs.eu-west-2.amazonaws.com", "sqs.eu-west-2.amazonaws.com", false)]
    [InlineData("http://localhost:9324/", "localhost:9324", true)]
    public async Task SqsRequestsCarryTheSignatureTheReferenceComputes(string endpoint, string hostHeader, bool withSessionToken)
    {
        var body = Encoding.UTF8.GetBytes("{\"QueueUrl\":\"http://127.0.0.1/000000000000/chunks\",\"MessageBody\":\"{\\\"reqId\\\":\\\"r1\\\"}\"}");
        AWSCredentials credentials = withSessionToken
            ? new SessionAWSCredentials(AccessKey, SecretKey, SessionToken)
            : new BasicAWSCredentials(AccessKey, SecretKey);
        var region = RegionEndpoint.GetBySystemName(endpoint.Contains("eu-west-2", StringComparison.Ordinal) ? "eu-west-2" : "us-east-1");

        using var request = await SqsRequestSigner.CreateAsync(new Uri(endpoint), "SendMessage", body, credentials, region, SignedAt, CancellationToken.None);

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/", request.RequestUri!.AbsolutePath);
        Assert.Equal(body, await request.Content!.ReadAsByteArrayAsync());
        Assert.Equal("application/x-amz-json-1.0", Assert.Single(request.Content.Headers.GetValues("Content-Type")));
        Assert.Equal("AmazonSQS.SendMessage", Assert.Single(request.Headers.GetValues("X-Amz-Target")));
        var bodyHash = SigV4Reference.Hex(SHA256.HashData(body));
        var headers = new List<(string, string)>
        {
            ("Content-Type", "application/x-amz-json-1.0"),
            ("Host", hostHeader),
            ("X-Amz-Content-SHA256", bodyHash),
            ("X-Amz-Date", AmzDate),
            ("X-Amz-Target", "AmazonSQS.SendMessage"),
        };
        if (withSessionToken)
        {
            headers.Add(("X-Amz-Security-Token", SessionToken));
            Assert.Equal(SessionToken, Assert.Single(request.Headers.GetValues("X-Amz-Security-Token")));
        }
        var expected = SigV4Reference.Sign(new SigV4Reference.Request("POST", hostHeader, "/", [], headers, body),
            AccessKey, SecretKey, region.SystemName, "sqs", SignedAt);
        Assert.Equal(expected.Authorization, Assert.Single(request.Headers.GetValues("Authorization")));
        // The Host header HttpClient will send is the one that was signed.
        Assert.Equal(hostHeader, request.RequestUri.IsDefaultPort ? request.RequestUri.Host : request.RequestUri.Authority);
    }

    private static string EncodedPath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string EncodedQuery((string Name, string Value)[] query)
        => query.Length == 0 ? "" : "?" + string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value)}"));
}
