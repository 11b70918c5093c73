using System.Text.RegularExpressions;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Adapters.Cloud;

/// <summary>
/// Credentials and region resolved from <see cref="CloudOptions"/> with AWSSDK.Core's own stores, in the order
/// AWS.Tools uses: explicit keys, then the named profile (<see cref="CredentialProfileStoreChain"/>, which reads
/// the SDK store and the shared credentials/config files), then the SDK's default chain (environment, default
/// profile, container and instance roles). Region: explicit, then the profile's, then AWS_REGION /
/// AWS_DEFAULT_REGION, then the default profile's; with an endpoint URL and no region, us-east-1 (what
/// S3/SQS-compatible services sign with).
/// </summary>
internal sealed class AwsIdentity
{
    /// <summary>The signing region used with a custom endpoint when none is configured.</summary>
    public const string EndpointDefaultRegion = "us-east-1";

    private const string DefaultProfileName = "default";

    private AwsIdentity(AWSCredentials credentials, RegionEndpoint region, string credentialSource, SecretScrubber scrubber)
    {
        Credentials = credentials;
        Region = region;
        CredentialSource = credentialSource;
        Scrubber = scrubber;
    }

    public AWSCredentials Credentials { get; }

    public RegionEndpoint Region { get; }

    /// <summary>Where the credentials came from, for messages ("explicit keys", "profile 'x'", "the default chain").</summary>
    public string CredentialSource { get; }

    /// <summary>Removes the resolved secrets from any text before it reaches a message.</summary>
    public SecretScrubber Scrubber { get; }

    public static AwsIdentity Resolve(CloudOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scrubber = new SecretScrubber(options.SecretKey, options.SessionToken);
        CredentialProfile? profile = null;
        AWSCredentials credentials;
        string source;

        if (options.AccessKey is not null || options.SecretKey is not null)
        {
            if (string.IsNullOrEmpty(options.AccessKey) || string.IsNullOrEmpty(options.SecretKey))
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "AwsCredentialsIncomplete",
                    "Only one of the access key and the secret key was given. Give both (-AccessKey and -SecretKey), or neither to use a profile or the default credential chain.");
            credentials = string.IsNullOrEmpty(options.SessionToken)
                ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
                : new SessionAWSCredentials(options.AccessKey, options.SecretKey, options.SessionToken);
            source = "the given access key";
        }
        else if (options.SessionToken is not null)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "AwsCredentialsIncomplete",
                "A session token was given without an access key and secret key. Give all three, or none to use a profile or the default credential chain.");
        }
        else if (options.ProfileName is not null || options.ProfileLocation is not null)
        {
            var name = string.IsNullOrEmpty(options.ProfileName) ? DefaultProfileName : options.ProfileName;
            var chain = ProfileChain(options.ProfileLocation);
            if (!chain.TryGetProfile(name, out profile) || !chain.TryGetAWSCredentials(name, out credentials))
            {
                var where = options.ProfileLocation is null ? "the SDK store or the shared credentials files" : $"'{options.ProfileLocation}'";
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "AwsProfileNotFound",
                    $"The credential profile '{name}' was not found in {where}, or has no usable credentials. Check -ProfileName and -ProfileLocation, or create the profile (Set-AWSCredential -StoreAs, or aws configure).",
                    name);
            }
            source = $"profile '{name}'";
        }
        else
        {
            try
            {
                credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials();
            }
            catch (AmazonClientException ex)
            {
                throw new MemcacheException(MemcacheErrorKind.AccessDenied, "AwsCredentialsNotFound",
                    "No AWS credentials were found: none were given, and the environment, the default profile and the instance role have none. Give -AccessKey/-SecretKey or -ProfileName, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.",
                    null, ex);
            }
            source = "the default credential chain";
        }

        return new AwsIdentity(credentials, ResolveRegion(options, profile), source, scrubber);
    }

    private static RegionEndpoint ResolveRegion(CloudOptions options, CredentialProfile? profile)
    {
        var customEndpoint = options.EndpointUrl is not null;
        if (!string.IsNullOrWhiteSpace(options.Region))
            return RegionByName(options.Region, "-Region", customEndpoint);
        if (profile?.Region is { } profileRegion)
            return profileRegion;
        foreach (var variable in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(value))
                return RegionByName(value, variable, customEndpoint);
        }
        // The default profile's region; the SDK's own region chain is not used because its last step asks the
        // instance metadata service, which stalls for seconds on machines that are not cloud instances.
        var defaultName = Environment.GetEnvironmentVariable("AWS_PROFILE") ?? DefaultProfileName;
        if (ProfileChain(options.ProfileLocation).TryGetProfile(defaultName, out var defaultProfile) && defaultProfile.Region is { } region)
            return region;
        if (customEndpoint)
            return RegionEndpoint.GetBySystemName(EndpointDefaultRegion);
        throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "AwsRegionMissing",
            "No AWS region was given. Give -Region, set AWS_REGION, or set a region in the credential profile.");
    }

    /// <summary>
    /// AWS region names look like us-east-1; S3-compatible services behind an endpoint URL may use their own
    /// (such as "auto"), so those only need to be a plain token.
    /// </summary>
    private static RegionEndpoint RegionByName(string name, string origin, bool customEndpoint)
    {
        var trimmed = name.Trim();
        var pattern = customEndpoint ? "^[A-Za-z0-9_-]{1,64}$" : "^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$";
        if (!Regex.IsMatch(trimmed, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "AwsRegionInvalid",
                $"'{MessageText.Show(trimmed)}' (from {origin}) is not an AWS region name such as us-east-1 or eu-west-2.", trimmed);
        return RegionEndpoint.GetBySystemName(trimmed);
    }

    private static CredentialProfileStoreChain ProfileChain(string? location)
        => string.IsNullOrEmpty(location) ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(location);
}

/// <summary>Replaces secret values with *** in text that may have echoed them (server messages, exception text).</summary>
internal sealed class SecretScrubber(params string?[] secrets)
{
    private readonly string[] _secrets = secrets.Where(s => !string.IsNullOrEmpty(s) && s.Length >= 4).Select(s => s!).ToArray();

    public string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return string.Empty;
        foreach (var secret in _secrets)
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        return text;
    }

    /// <summary>
    /// The exception to keep as inner exception of a report: itself, unless its text (messages of it and its
    /// inner exceptions) echoes a secret, in which case none is kept.
    /// </summary>
    public Exception? SafeInner(Exception exception)
    {
        var text = exception.ToString();
        return _secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal)) ? null : exception;
    }
}
