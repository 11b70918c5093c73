using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Every object of a bucket whose key begins with <see cref="Prefix"/>: the text form is <c>s3://bucket/prefix</c>,
/// and <c>s3://bucket</c> (or <c>s3://bucket/</c>) means the whole bucket.
/// </summary>
public sealed record ObjectPrefix
{
    public const string Scheme = "s3://";

    public ObjectPrefix(string bucket, string prefix)
    {
        var problem = ObjectLocation.ProblemWithBucket(bucket) ?? ProblemWithPrefix(prefix);
        if (problem is not null)
            throw new ArgumentException($"'{Scheme}{bucket}/{prefix}' is not an S3 prefix: {problem}.");
        Bucket = bucket;
        Prefix = prefix;
    }

    public string Bucket { get; }

    /// <summary>Key prefix, possibly empty.</summary>
    public string Prefix { get; }

    public override string ToString() => $"{Scheme}{Bucket}/{Prefix}";

    /// <summary>True when <paramref name="text"/> starts with <c>s3://</c> (any letter case), so it is meant as an S3 address, valid or not.</summary>
    public static bool LooksLikeS3(string? text) => text is not null && text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <c>s3://bucket</c>, <c>s3://bucket/</c> or <c>s3://bucket/prefix</c>; false with the reason otherwise.</summary>
    public static bool TryParse(string? text, out ObjectPrefix prefix, out string problem)
    {
        prefix = null!;
        if (!LooksLikeS3(text) || !text!.StartsWith(Scheme, StringComparison.Ordinal))
        {
            problem = "it does not start with s3://";
            return false;
        }
        var rest = text[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? string.Empty : rest[(slash + 1)..];
        var reason = ObjectLocation.ProblemWithBucket(bucket) ?? ProblemWithPrefix(key);
        if (reason is not null)
        {
            problem = reason;
            return false;
        }
        prefix = new ObjectPrefix(bucket, key);
        problem = string.Empty;
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/>; throws InvalidArgument (S3UriInvalid) with the reason.</summary>
    public static ObjectPrefix Parse(string text)
    {
        if (TryParse(text, out var prefix, out var problem))
            return prefix;
        throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "S3UriInvalid",
            $"'{MessageText.Show(text, 120)}' is not an S3 address: {problem}. Write it as s3://bucket/prefix.", text);
    }

    /// <summary>What is wrong with a key prefix, or null: at most 1024 UTF-8 bytes without control characters (empty is allowed).</summary>
    public static string? ProblemWithPrefix(string? prefix)
        => string.IsNullOrEmpty(prefix) ? (prefix is null ? "the prefix is missing" : null) : ObjectLocation.ProblemWithKey(prefix);
}

/// <summary>How exported chunks are named in a bucket: <c>&lt;s3_final_path&gt;/&lt;req_id&gt;/&lt;file name&gt;</c>, as cachemover names them.</summary>
public static class ChunkKeys
{
    /// <summary>The name of the manifest beside the data files in a bucket.</summary>
    public const string ManifestName = "manifest.json";

    /// <summary>
    /// The folder of a run's objects, ending in '/': <c>prefix/req_id/</c>, or <c>req_id/</c> without a prefix.
    /// Slashes around the prefix are dropped so "dumps", "dumps/" and "/dumps" name the same folder.
    /// </summary>
    public static string Folder(string prefix, string requestId)
    {
        var trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? requestId + "/" : $"{trimmed}/{requestId}/";
    }

    /// <summary>The object key of one file of a run.</summary>
    public static string ObjectKey(string prefix, string requestId, string fileName) => Folder(prefix, requestId) + fileName;

    /// <summary>The folder part of a key, up to and including its last '/', or empty.</summary>
    public static string FolderOf(string key)
    {
        var slash = key.LastIndexOf('/');
        return slash < 0 ? string.Empty : key[..(slash + 1)];
    }

    /// <summary>The last segment of a key (the file name).</summary>
    public static string NameOf(string key) => key[(key.LastIndexOf('/') + 1)..];
}
