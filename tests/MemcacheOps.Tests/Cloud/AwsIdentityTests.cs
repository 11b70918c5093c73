using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Tests.Cloud;

/// <summary>Credential and region resolution (explicit keys, then profile, then default chain), without network.</summary>
public sealed class AwsIdentityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-aws-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ExplicitKeysWinAndCarryTheSessionToken()
    {
        var identity = AwsIdentity.Resolve(new CloudOptions
        {
            AccessKey = "AKIDEXPLICIT",
            SecretKey = "explicit-secret",
            SessionToken = "token-1",
            ProfileName = "ignored-when-keys-are-given",
            Region = "ap-southeast-2",
        });

        var credentials = await identity.Credentials.GetCredentialsAsync();
        Assert.Equal("AKIDEXPLICIT", credentials.AccessKey);
        Assert.Equal("token-1", credentials.Token);
        Assert.Equal("ap-southeast-2", identity.Region.SystemName);
        Assert.Equal("the given access key", identity.CredentialSource);
    }

    [Fact]
    public async Task AProfileFromAGivenFileSuppliesCredentialsAndRegion()
    {
        var file = WriteCredentials("[dumper]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\nregion = eu-central-1\n");

        var identity = AwsIdentity.Resolve(new CloudOptions { ProfileName = "dumper", ProfileLocation = file });

        Assert.Equal("AKIDPROFILE", (await identity.Credentials.GetCredentialsAsync()).AccessKey);
        Assert.Equal("eu-central-1", identity.Region.SystemName);
        Assert.Equal("profile 'dumper'", identity.CredentialSource);
    }

    [Fact]
    public void AnExplicitRegionOverridesTheProfiles()
    {
        var file = WriteCredentials("[dumper]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\nregion = eu-central-1\n");

        var identity = AwsIdentity.Resolve(new CloudOptions { ProfileName = "dumper", ProfileLocation = file, Region = "us-west-2" });

        Assert.Equal("us-west-2", identity.Region.SystemName);
    }

    [Fact]
    public void AMissingProfileIsReported()
    {
        var file = WriteCredentials("[other]\naws_access_key_id = A\naws_secret_access_key = s\n");

        var ex = Assert.Throws<MemcacheException>(() => AwsIdentity.Resolve(new CloudOptions { ProfileName = "dumper", ProfileLocation = file }));

        Assert.Equal("AwsProfileNotFound", ex.ErrorId);
        Assert.Contains($"'dumper' was not found in '{file}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AKID", null, null)]
    [InlineData(null, "secret", null)]
    [InlineData(null, null, "token")]
    public void IncompleteKeysAreReportedWithoutTheSecret(string? accessKey, string? secretKey, string? token)
    {
        var ex = Assert.Throws<MemcacheException>(() =>
            AwsIdentity.Resolve(new CloudOptions { AccessKey = accessKey, SecretKey = secretKey, SessionToken = token, Region = "us-east-1" }));

        Assert.Equal("AwsCredentialsIncomplete", ex.ErrorId);
        Assert.DoesNotContain("secret", ex.Message.Replace("secret key", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("us_east_1")]
    [InlineData("EU-WEST-1")]
    [InlineData("mars")]
    public void ARegionThatIsNotARegionNameIsReported(string region)
    {
        var ex = Assert.Throws<MemcacheException>(() => AwsIdentity.Resolve(new CloudOptions { AccessKey = "A", SecretKey = "S", Region = region }));

        Assert.Equal("AwsRegionInvalid", ex.ErrorId);
    }

    [Fact]
    public void ACustomEndpointAcceptsTheServicesOwnRegionName()
    {
        var identity = AwsIdentity.Resolve(new CloudOptions { AccessKey = "A", SecretKey = "S", EndpointUrl = "https://r2.example", Region = "auto" });

        Assert.Equal("auto", identity.Region.SystemName);
    }

    [Fact]
    public void ACustomEndpointWithoutRegionSignsForUsEast1UnlessTheEnvironmentNamesOne()
    {
        var identity = AwsIdentity.Resolve(new CloudOptions
        {
            AccessKey = "A",
            SecretKey = "S",
            EndpointUrl = "http://127.0.0.1:9000",
            ProfileLocation = WriteCredentials("[default]\naws_access_key_id = A\naws_secret_access_key = s\n"),
        });

        var fromEnvironment = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        Assert.Equal(string.IsNullOrWhiteSpace(fromEnvironment) ? AwsIdentity.EndpointDefaultRegion : fromEnvironment.Trim(), identity.Region.SystemName);
    }

    private string WriteCredentials(string text)
    {
        var path = Path.Combine(_folder, $"credentials-{Guid.NewGuid():N}");
        File.WriteAllText(path, text);
        return path;
    }
}
