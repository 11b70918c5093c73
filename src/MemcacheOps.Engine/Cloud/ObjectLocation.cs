using System.Text;

namespace MemcacheOps.Engine.Cloud;

/// <summary>An object in a bucket; its text form is the <c>s3://bucket/key</c> URI cachemover's messages carry.</summary>
public sealed record ObjectLocation
{
    public const int MaxKeyBytes = 1024;
    private const string Scheme = "s3://";

    public ObjectLocation(string bucket, string key)
    {
        var problem = ProblemWithBucket(bucket) ?? ProblemWithKey(key);
        if (problem is not null)
            throw new ArgumentException($"'{Scheme}{bucket}/{key}' is not an object location: {problem}.");
        Bucket = bucket;
        Key = key;
    }

    public string Bucket { get; }

    public string Key { get; }

    public override string ToString() => $"{Scheme}{Bucket}/{Key}";

    /// <summary>
    /// Parses <c>s3://bucket/key</c>. Returns false with the reason when the text is not such a URI, the bucket
    /// name is not one S3 allows, or the key is empty, too long or holds control characters.
    /// </summary>
    public static bool TryParse(string? uri, out ObjectLocation location, out string problem)
    {
        location = null!;
        if (string.IsNullOrEmpty(uri))
        {
            problem = "it is empty";
            return false;
        }
        if (!uri.StartsWith(Scheme, StringComparison.Ordinal))
        {
            problem = "it does not start with s3://";
            return false;
        }
        var rest = uri.AsSpan(Scheme.Length);
        var slash = rest.IndexOf('/');
        if (slash < 0)
        {
            problem = "it names a bucket but no object key";
            return false;
        }
        var bucket = rest[..slash].ToString();
        var key = rest[(slash + 1)..].ToString();
        var reason = ProblemWithBucket(bucket) ?? ProblemWithKey(key);
        if (reason is not null)
        {
            problem = reason;
            return false;
        }
        location = new ObjectLocation(bucket, key);
        problem = string.Empty;
        return true;
    }

    /// <summary>
    /// What is wrong with a bucket name, or null: 3 to 63 characters of letters, digits, '.', '-' (and '_'
    /// or capitals, which only old buckets have), beginning and ending with a letter or digit.
    /// </summary>
    public static string? ProblemWithBucket(string? bucket)
    {
        if (string.IsNullOrEmpty(bucket))
            return "the bucket name is empty";
        if (bucket.Length is < 3 or > 63)
            return $"the bucket name has {bucket.Length} characters (3 to 63 allowed)";
        foreach (var c in bucket)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
                return "the bucket name contains characters other than letters, digits, '.', '-' and '_'";
        }
        if (!char.IsAsciiLetterOrDigit(bucket[0]) || !char.IsAsciiLetterOrDigit(bucket[^1]))
            return "the bucket name must begin and end with a letter or digit";
        return null;
    }

    /// <summary>What is wrong with an object key, or null: 1 to 1024 UTF-8 bytes without control characters.</summary>
    public static string? ProblemWithKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
            return "the object key is empty";
        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
            return $"the object key is longer than {MaxKeyBytes} bytes";
        foreach (var c in key)
        {
            if (char.IsControl(c))
                return "the object key contains control characters";
        }
        return null;
    }
}
