using MemcacheOps.Cmdlets.Infrastructure;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Distributed;

namespace MemcacheOps.Tests.Distributed;

/// <summary>Parsing of S3 addresses, object naming, the YAML mapping, and the session credentials AWS.Tools stores.</summary>
public sealed class DistributedUnitTests
{
    [Theory]
    [InlineData("s3://bucket-1", "bucket-1", "")]
    [InlineData("s3://bucket-1/", "bucket-1", "")]
    [InlineData("s3://bucket-1/dumps/req/", "bucket-1", "dumps/req/")]
    [InlineData("s3://bucket-1/a b/ü", "bucket-1", "a b/ü")]
    public void S3AddressesParse(string text, string bucket, string prefix)
    {
        var parsed = ObjectPrefix.Parse(text);
        Assert.Equal(bucket, parsed.Bucket);
        Assert.Equal(prefix, parsed.Prefix);
        Assert.Equal($"s3://{bucket}/{prefix}", parsed.ToString());
    }

    [Theory]
    [InlineData("/local/path")]
    [InlineData("S3://bucket/x")]
    [InlineData("s3://")]
    [InlineData("s3://b/x")]
    [InlineData("s3://bucket/x\ny")]
    public void BadS3AddressesAreRefused(string text)
    {
        Assert.False(ObjectPrefix.TryParse(text, out _, out var problem));
        Assert.NotEmpty(problem);
        if (ObjectPrefix.LooksLikeS3(text))
            Assert.Equal("S3UriInvalid", Assert.Throws<MemcacheException>(() => ObjectPrefix.Parse(text)).ErrorId);
    }

    [Theory]
    [InlineData("", "r1", "r1/")]
    [InlineData("dumps", "r1", "dumps/r1/")]
    [InlineData("/dumps/evcache/", "r1", "dumps/evcache/r1/")]
    public void ObjectsAreNamedPrefixRequestIdFile(string prefix, string requestId, string folder)
    {
        Assert.Equal(folder, ChunkKeys.Folder(prefix, requestId));
        Assert.Equal(folder + "data_1", ChunkKeys.ObjectKey(prefix, requestId, "data_1"));
        Assert.Equal(folder, ChunkKeys.FolderOf(folder + "data_1"));
        Assert.Equal("data_1", ChunkKeys.NameOf(folder + "data_1"));
    }

    [Theory]
    [InlineData("p/r1/10.0.0.1_11211_000000_000.v0", false)]
    [InlineData("p/r1/data_10.0.0.1__0_0123456789ABCDEF0123456789ABCDEF", false)]
    [InlineData("p/r1/anything", false)]
    [InlineData("p/r1/manifest.json", true)]
    [InlineData("p/r1/s3-uploads.log", true)]
    [InlineData("p/r1/", true)]
    [InlineData("p/dump/keys/10.0.0.1_11211_000000.keys", true)]
    [InlineData("p/cm/keyfile/key_10.0.0.1_0", true)]
    [InlineData("p/cm/datafiles_staging/data_10.0.0.1__0_0", true)]
    [InlineData("p/cm/datafiles_completed/DONE", true)]
    [InlineData("p/cm/datafiles_completed/METRICS_CHECKPOINT", true)]
    [InlineData("p/dump/data/x.v0.partial", true)]
    public void KeyFilesMarkersAndFolderMarkersAreNotData(string key, bool side)
        => Assert.Equal(side, S3ChunkCatalog.IsSideFile(key));

    [Fact]
    public void RequestIdsAreMadeUpWhenNoneIsGiven()
    {
        var id = DistributedExport.NewRequestId();
        Assert.Matches("^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$", id);
    }

    [Fact]
    public void AnS3DumpConfigurationMapsToPublishOptions()
    {
        var config = new CachemoverConfig
        {
            SourcePath = "c.yaml", IsS3Dump = true, S3Bucket = "evcache-dumps", S3FinalPath = "dump/x", SqsQueue = "warmup", ReqId = "r9",
        };

        var publish = CachemoverMapping.ToChunkPublishOptions(config);

        Assert.NotNull(publish);
        Assert.Equal("evcache-dumps", publish.Bucket);
        Assert.Equal("dump/x", publish.Prefix);
        Assert.Equal("warmup", publish.QueueName);
        Assert.Null(CachemoverMapping.ToChunkPublishOptions(config with { IsS3Dump = false }));
        var missing = Assert.Throws<MemcacheException>(() => CachemoverMapping.ToChunkPublishOptions(config with { SqsQueue = null }));
        Assert.Contains("sqs_queue", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StoredCredentialsAreReadLikeAwsToolsStoresThem()
    {
        // AWS.Tools stores a wrapper whose Credentials property is an AWSCredentials with GetCredentials().
        var stored = new FakeAwsPsCredentials(new FakeAwsCredentials("AKIDSTORED", "stored-secret", "stored-token"));

        var options = StoredAwsSession.Apply(new CloudOptions { EndpointUrl = "http://127.0.0.1:1" }, stored, "eu-west-2");

        Assert.Equal("AKIDSTORED", options.AccessKey);
        Assert.Equal("stored-secret", options.SecretKey);
        Assert.Equal("stored-token", options.SessionToken);
        Assert.Equal("eu-west-2", options.Region);
        Assert.Equal("http://127.0.0.1:1", options.EndpointUrl);
        Assert.DoesNotContain("stored-secret", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("stored-token", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ExplicitParametersWinOverStoredOnes()
    {
        var stored = new FakeAwsCredentials("AKIDSTORED", "stored-secret", null);

        var byProfile = StoredAwsSession.Apply(new CloudOptions { ProfileName = "ops", Region = "us-west-2" }, stored, "eu-west-2");
        var byKeys = StoredAwsSession.Apply(new CloudOptions { AccessKey = "AKIDGIVEN", SecretKey = "given" }, stored, null);
        var direct = StoredAwsSession.Apply(new CloudOptions(), stored, null);
        var profileName = StoredAwsSession.Apply(new CloudOptions(), "stored-profile", null);
        var nothing = StoredAwsSession.Apply(new CloudOptions(), null, null);

        Assert.Equal(("ops", null, "us-west-2"), (byProfile.ProfileName, byProfile.AccessKey, byProfile.Region));
        Assert.Equal(("AKIDGIVEN", "given"), (byKeys.AccessKey, byKeys.SecretKey));
        Assert.Equal(("AKIDSTORED", "stored-secret", null), (direct.AccessKey, direct.SecretKey, direct.SessionToken));
        Assert.Equal("stored-profile", profileName.ProfileName);
        Assert.Equal(new CloudOptions(), nothing);
    }

    [Fact]
    public void UnreadableStoredCredentialsAreAClearErrorWithoutSecrets()
    {
        var wrongType = Assert.Throws<MemcacheException>(() => StoredAwsSession.Apply(new CloudOptions(), 42, null));
        var failing = Assert.Throws<MemcacheException>(() => StoredAwsSession.Apply(new CloudOptions(), new FailingCredentials(), null));

        Assert.Equal("AwsStoredCredentialsUnreadable", wrongType.ErrorId);
        Assert.Contains("$StoredAWSCredentials", wrongType.Message, StringComparison.Ordinal);
        Assert.Equal("AwsCredentialsNotFound", failing.ErrorId);
        Assert.Contains("role could not be assumed", failing.Message, StringComparison.Ordinal);
    }

    public sealed class FakeAwsPsCredentials(FakeAwsCredentials credentials)
    {
        public FakeAwsCredentials Credentials { get; } = credentials;

        public string Name => "stored";
    }

    public sealed class FakeAwsCredentials(string accessKey, string secretKey, string? token)
    {
        public FakeImmutableCredentials GetCredentials() => new(accessKey, secretKey, token);
    }

    public sealed record FakeImmutableCredentials(string AccessKey, string SecretKey, string? Token);

    public sealed class FailingCredentials
    {
        public FakeImmutableCredentials GetCredentials() => throw new InvalidOperationException("the role could not be assumed");
    }
}
