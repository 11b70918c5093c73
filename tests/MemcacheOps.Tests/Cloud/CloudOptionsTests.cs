using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Tests.Cloud;

public sealed class CloudOptionsTests
{
    [Fact]
    public void ToStringNeverShowsTheSecretOrTheSessionToken()
    {
        var options = new CloudOptions
        {
            AccessKey = "AKIDEXAMPLE",
            SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            SessionToken = "FQoGZXIvYXdzEXAMPLE",
            Region = "eu-west-1",
            EndpointUrl = "http://127.0.0.1:9000",
        };

        var text = options.ToString();

        Assert.Equal("CloudOptions { Region = eu-west-1, AccessKey = AKIDEXAMPLE, SecretKey = ***, SessionToken = ***, EndpointUrl = http://127.0.0.1:9000 }", text);
        Assert.DoesNotContain("wJalr", $"{options}", StringComparison.Ordinal);
        Assert.Equal("CloudOptions { }", new CloudOptions().ToString());
    }

    [Fact]
    public void PathStyleDefaultsToOnForCustomEndpointsOnly()
    {
        Assert.False(new CloudOptions().EffectiveForcePathStyle);
        Assert.True(new CloudOptions { EndpointUrl = "http://127.0.0.1:9000" }.EffectiveForcePathStyle);
        Assert.False(new CloudOptions { EndpointUrl = "https://s3.example", ForcePathStyle = false }.EffectiveForcePathStyle);
        Assert.True(new CloudOptions { ForcePathStyle = true }.EffectiveForcePathStyle);
    }

    [Theory]
    [InlineData("s3://bucket-1/a/b/c.bin", "bucket-1", "a/b/c.bin")]
    [InlineData("s3://my.bucket/x", "my.bucket", "x")]
    [InlineData("s3://Legacy_Bucket/k?x=1#y", "Legacy_Bucket", "k?x=1#y")]
    public void ObjectLocationsParseAndPrintAsS3Uris(string uri, string bucket, string key)
    {
        Assert.True(ObjectLocation.TryParse(uri, out var location, out _));
        Assert.Equal(bucket, location.Bucket);
        Assert.Equal(key, location.Key);
        Assert.Equal(uri, location.ToString());
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("s3:/bucket/k", "does not start with s3://")]
    [InlineData("s3://ab/k", "3 to 63")]
    [InlineData("s3://-bucket/k", "begin and end with a letter or digit")]
    [InlineData("s3://bu cket/k", "characters other than")]
    public void ObjectLocationsRefuseWhatS3Would(string? uri, string reason)
    {
        Assert.False(ObjectLocation.TryParse(uri, out _, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }
}
