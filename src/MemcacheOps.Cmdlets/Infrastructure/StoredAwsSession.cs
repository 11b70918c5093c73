using System.Reflection;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>
/// The session defaults AWS.Tools keeps in PowerShell variables: <c>$StoredAWSCredentials</c> (set by
/// Set-AWSCredential) and <c>$StoredAWSRegion</c> (set by Set-DefaultAWSRegion). They apply, as in AWS.Tools,
/// only when the command gives no credentials or region of its own.
/// </summary>
/// <remarks>
/// The cmdlets must not reference AWSSDK types (AWS.Tools' copy lives in another load context than the module's),
/// so the credentials object is read by reflection: AWS.Tools stores an object whose <c>Credentials</c> property
/// is an AWSSDK <c>AWSCredentials</c>, whose <c>GetCredentials()</c> returns the <c>AccessKey</c>, <c>SecretKey</c>
/// and <c>Token</c>. An <c>AWSCredentials</c> object stored directly works too, and a string is taken as a
/// profile name. The secret never appears in a message.
/// </remarks>
internal static class StoredAwsSession
{
    public const string CredentialsVariable = "StoredAWSCredentials";
    public const string RegionVariable = "StoredAWSRegion";

    /// <summary>
    /// <paramref name="options"/> completed from the stored values (already unwrapped from PSObject): credentials
    /// only when none were given (keys, session token or profile), the region only when none was given.
    /// </summary>
    public static CloudOptions Apply(CloudOptions options, object? storedCredentials, object? storedRegion)
    {
        if (options.Region is null && storedRegion is string region && !string.IsNullOrWhiteSpace(region))
            options = options with { Region = region.Trim() };
        var explicitCredentials = options.AccessKey is not null || options.SecretKey is not null || options.SessionToken is not null || options.ProfileName is not null;
        if (explicitCredentials || storedCredentials is null)
            return options;
        if (storedCredentials is string profile)
            return string.IsNullOrWhiteSpace(profile) ? options : options with { ProfileName = profile.Trim() };

        var (accessKey, secretKey, token) = ReadKeys(storedCredentials);
        return options with { AccessKey = accessKey, SecretKey = secretKey, SessionToken = string.IsNullOrEmpty(token) ? null : token };
    }

    private static (string AccessKey, string SecretKey, string? Token) ReadKeys(object stored)
    {
        var credentials = stored;
        if (FindGetCredentials(credentials.GetType()) is null
            && credentials.GetType().GetProperty("Credentials", BindingFlags.Public | BindingFlags.Instance)?.GetValue(credentials) is { } inner)
        {
            credentials = inner;
        }
        var getCredentials = FindGetCredentials(credentials.GetType())
            ?? throw Unreadable(stored, "it has no GetCredentials() method");
        object? immutable;
        try
        {
            immutable = getCredentials.Invoke(credentials, null);
        }
        catch (TargetInvocationException ex)
        {
            // The inner message comes from the credential provider (a role to assume, a profile); it carries no secret.
            throw new MemcacheException(MemcacheErrorKind.AccessDenied, "AwsCredentialsNotFound",
                $"The credentials stored in ${CredentialsVariable} could not be obtained ({ex.InnerException?.Message}). Run Set-AWSCredential again, or give -ProfileName or -AccessKey and -SecretKey.",
                null, ex.InnerException);
        }
        if (immutable is null)
            throw Unreadable(stored, "GetCredentials() returned nothing");
        var accessKey = ReadString(immutable, "AccessKey");
        var secretKey = ReadString(immutable, "SecretKey");
        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
            throw Unreadable(stored, "its credentials have no access key or secret key");
        return (accessKey, secretKey, ReadString(immutable, "Token"));
    }

    private static MethodInfo? FindGetCredentials(Type type)
        => type.GetMethod("GetCredentials", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);

    private static string? ReadString(object source, string property)
        => source.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)?.GetValue(source) as string;

    private static MemcacheException Unreadable(object stored, string why)
        => new(MemcacheErrorKind.InvalidArgument, "AwsStoredCredentialsUnreadable",
            $"${CredentialsVariable} holds a {stored.GetType().FullName} that MemcacheOps cannot read credentials from ({why}). Clear it (Clear-AWSCredential) or give -ProfileName, or -AccessKey and -SecretKey.");
}
