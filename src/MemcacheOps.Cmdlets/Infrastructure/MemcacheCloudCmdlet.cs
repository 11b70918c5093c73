using System.Management.Automation;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>
/// A cmdlet that may reach S3 and SQS: the AWS.Tools credential and endpoint parameters, and their resolution
/// into <see cref="CloudOptions"/> (explicit parameters, then <c>$StoredAWSCredentials</c> /
/// <c>$StoredAWSRegion</c>, then AWSSDK.Core's chain: environment, default profile, instance role).
/// The cmdlets that ship dumps through S3 also move their items in bulk, hence the bulk parameters.
/// </summary>
public abstract class MemcacheCloudCmdlet : MemcacheBulkCmdlet
{
    /// <summary>
    /// <para type="description">The AWS credential profile to use, from the shared credentials file or the SDK store (as in AWS.Tools). Without it, and without -AccessKey, $StoredAWSCredentials (Set-AWSCredential) and then the environment, the default profile and the instance role are used.</para>
    /// </summary>
    [Parameter]
    [Alias("StoredCredentials", "AWSProfileName")]
    public string? ProfileName { get; set; }

    /// <summary>
    /// <para type="description">A credentials file to read profiles from instead of the default one (~/.aws/credentials).</para>
    /// </summary>
    [Parameter]
    [Alias("AWSProfilesLocation", "ProfilesLocation")]
    public string? ProfileLocation { get; set; }

    /// <summary>
    /// <para type="description">The AWS region, such as us-east-1. Default: $StoredAWSRegion (Set-DefaultAWSRegion), the profile's region, or AWS_REGION.</para>
    /// </summary>
    [Parameter]
    public string? Region { get; set; }

    /// <summary>
    /// <para type="description">The AWS access key id; goes with -SecretKey. Prefer a profile: keys typed on a command line end up in the history.</para>
    /// </summary>
    [Parameter]
    [Alias("AK")]
    public string? AccessKey { get; set; }

    /// <summary>
    /// <para type="description">The AWS secret access key; goes with -AccessKey. It is never printed or logged.</para>
    /// </summary>
    [Parameter]
    [Alias("SK", "SecretAccessKey")]
    public string? SecretKey { get; set; }

    /// <summary>
    /// <para type="description">The session token of temporary credentials; goes with -AccessKey and -SecretKey. It is never printed or logged.</para>
    /// </summary>
    [Parameter]
    [Alias("ST")]
    public string? SessionToken { get; set; }

    /// <summary>
    /// <para type="description">The URL of the S3 service (and of SQS, unless -SqsEndpointUrl is given) instead of AWS's: an S3-compatible service, a VPC endpoint or an emulator. Buckets are then addressed by path.</para>
    /// </summary>
    [Parameter]
    public string? EndpointUrl { get; set; }

    /// <summary>
    /// <para type="description">The URL of the SQS service when it differs from -EndpointUrl (for instance an SQS VPC endpoint, or an emulator on its own port).</para>
    /// </summary>
    [Parameter]
    public string? SqsEndpointUrl { get; set; }

    /// <summary>The options for S3, completed from the session's stored AWS.Tools defaults when parameters are absent.</summary>
    protected CloudOptions BuildCloudOptions()
    {
        var options = new CloudOptions
        {
            ProfileName = ProfileName,
            ProfileLocation = ProfileLocation,
            Region = Region,
            AccessKey = AccessKey,
            SecretKey = SecretKey,
            SessionToken = SessionToken,
            EndpointUrl = EndpointUrl,
        };
        return StoredAwsSession.Apply(options, Unwrap(SessionState.PSVariable.GetValue(StoredAwsSession.CredentialsVariable)),
            Unwrap(SessionState.PSVariable.GetValue(StoredAwsSession.RegionVariable)));
    }

    /// <summary>The options for SQS: those for S3, with -SqsEndpointUrl when given; null means the same as S3's.</summary>
    protected CloudOptions? QueueCloudOptions(CloudOptions cloud) => SqsEndpointUrl is null ? null : cloud with { EndpointUrl = SqsEndpointUrl };

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
