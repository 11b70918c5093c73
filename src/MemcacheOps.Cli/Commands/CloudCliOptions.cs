using MemcacheOps.Cli.Arguments;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Cli.Commands;

/// <summary>
/// The AWS options of the verbs that reach S3 and SQS, named as AWS.Tools names its parameters (kebab-cased).
/// Credentials and region resolve as AWS.Tools resolves them: explicit keys, then the named profile, then the
/// environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_REGION...) and the default chain.
/// </summary>
public static class CloudCliOptions
{
    public static readonly IReadOnlyList<OptionSpec> Aws =
    [
        new("profile-name", OptionKind.Value, "AWS credential profile (shared credentials file or SDK store).", "profile") { ValueName = "NAME" },
        new("profile-location", OptionKind.Value, "Credentials file to read profiles from instead of the default one.") { ValueName = "FILE" },
        new("region", OptionKind.Value, "AWS region, e.g. us-east-1 (default: the profile's, AWS_REGION).") { ValueName = "REGION" },
        new("access-key", OptionKind.Value, "AWS access key id (needs --secret-key). Prefer a profile or the environment: command lines are visible to other users.") { ValueName = "KEY" },
        new("secret-key", OptionKind.Value, "AWS secret access key; never printed.") { ValueName = "SECRET" },
        new("session-token", OptionKind.Value, "Session token of temporary credentials; never printed.") { ValueName = "TOKEN" },
        new("endpoint-url", OptionKind.Value, "S3 (and SQS) service URL instead of AWS's: an S3-compatible service, a VPC endpoint, an emulator.") { ValueName = "URL" },
        new("sqs-endpoint-url", OptionKind.Value, "SQS service URL when it differs from --endpoint-url.") { ValueName = "URL" },
    ];

    /// <summary>The options for S3 (and for SQS, unless <see cref="ForQueue"/> changes its endpoint).</summary>
    public static CloudOptions Build(ParsedArguments args) => new()
    {
        ProfileName = args.Value("profile-name"),
        ProfileLocation = args.Value("profile-location"),
        Region = args.Value("region"),
        AccessKey = args.Value("access-key"),
        SecretKey = args.Value("secret-key"),
        SessionToken = args.Value("session-token"),
        EndpointUrl = args.Value("endpoint-url"),
    };

    /// <summary>The options for SQS: those for S3, with --sqs-endpoint-url when given.</summary>
    public static CloudOptions? ForQueue(ParsedArguments args, CloudOptions cloud)
        => args.Value("sqs-endpoint-url") is { } url ? cloud with { EndpointUrl = url } : null;
}
