namespace MemcacheOps.Engine.Cloud;

/// <summary>
/// Where and as whom to reach S3 and SQS, in the terms of AWS.Tools parameters (-ProfileName,
/// -ProfileLocation, -Region, -AccessKey, -SecretKey, -SessionToken, -EndpointUrl). Every property is
/// optional: credentials resolve as explicit keys, then the named profile, then the environment and the
/// platform's default chain; the region as explicit, then the profile's, then the environment's.
/// </summary>
/// <remarks>
/// <see cref="ToString"/> never prints <see cref="SecretKey"/> or <see cref="SessionToken"/>, so options can
/// appear in logs and verbose output.
/// </remarks>
public sealed record CloudOptions
{
    /// <summary>Named profile in the shared credentials/config files (or the SDK store).</summary>
    public string? ProfileName { get; init; }

    /// <summary>Path of a credentials file to read profiles from instead of the default one.</summary>
    public string? ProfileLocation { get; init; }

    /// <summary>System name of the region, such as us-east-1.</summary>
    public string? Region { get; init; }

    /// <summary>Access key id; needs <see cref="SecretKey"/>.</summary>
    public string? AccessKey { get; init; }

    /// <summary>Secret access key; never printed.</summary>
    public string? SecretKey { get; init; }

    /// <summary>Session token of temporary credentials; never printed.</summary>
    public string? SessionToken { get; init; }

    /// <summary>Service URL to use instead of AWS's (an S3- or SQS-compatible service, a VPC endpoint, an emulator).</summary>
    public string? EndpointUrl { get; init; }

    /// <summary>
    /// Address buckets as <c>endpoint/bucket/key</c> instead of <c>bucket.endpoint/key</c>. Null means: path
    /// style when <see cref="EndpointUrl"/> is set (what S3-compatible services and emulators expect), virtual
    /// host style against AWS.
    /// </summary>
    public bool? ForcePathStyle { get; init; }

    /// <summary>The path-style choice after applying the default described on <see cref="ForcePathStyle"/>.</summary>
    public bool EffectiveForcePathStyle => ForcePathStyle ?? EndpointUrl is not null;

    public override string ToString()
    {
        var parts = new List<string>();
        Add(parts, nameof(ProfileName), ProfileName);
        Add(parts, nameof(ProfileLocation), ProfileLocation);
        Add(parts, nameof(Region), Region);
        Add(parts, nameof(AccessKey), AccessKey);
        Add(parts, nameof(SecretKey), SecretKey is null ? null : "***");
        Add(parts, nameof(SessionToken), SessionToken is null ? null : "***");
        Add(parts, nameof(EndpointUrl), EndpointUrl);
        Add(parts, nameof(ForcePathStyle), ForcePathStyle?.ToString());
        return parts.Count == 0 ? "CloudOptions { }" : $"CloudOptions {{ {string.Join(", ", parts)} }}";
    }

    private static void Add(List<string> parts, string name, string? value)
    {
        if (value is not null)
            parts.Add($"{name} = {value}");
    }
}
