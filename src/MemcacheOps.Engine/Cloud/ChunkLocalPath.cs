using System.Security.Cryptography;
using System.Text;

namespace MemcacheOps.Engine.Cloud;

/// <summary>
/// Maps an object key (from an untrusted message) to a file path inside a work folder. The key's folders are
/// kept (<c>dump/req1/data_x</c> becomes <c>work/dump/req1/data_x</c>), so chunk names stay as the exporter
/// wrote them and keys do not collide; what could escape the folder or break on some file system is refused
/// or replaced.
/// </summary>
/// <remarks>
/// Refused: "." and ".." segments (path traversal), more than <see cref="MaxDepth"/> segments, keys with control
/// characters or without any name. Replaced by '_': characters that are separators or invalid on Windows or
/// Unix (<c>\ : * ? " &lt; &gt; |</c>), and a trailing dot or space. Empty segments (a leading '/', "a//b") are
/// dropped, so an absolute-looking key stays inside the folder. Windows device names (CON, NUL, COM1...) get a
/// leading '_'. Segments longer than <see cref="MaxSegmentBytes"/> are shortened with a hash so they stay unique.
/// </remarks>
public static class ChunkLocalPath
{
    public const int MaxDepth = 32;
    public const int MaxSegmentBytes = 200;

    private static readonly HashSet<string> WindowsDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>
    /// The full path for <paramref name="objectKey"/> inside <paramref name="workFolder"/>. The caller creates
    /// the file's folder. Throws <see cref="MemcacheException"/> (InvalidData, UnsafeObjectKey) when the key is refused.
    /// </summary>
    public static string Resolve(string workFolder, string objectKey)
    {
        if (TryResolve(workFolder, objectKey, out var path, out var problem))
            return path;
        throw new MemcacheException(MemcacheErrorKind.InvalidData, "UnsafeObjectKey",
            $"The object key '{MessageText.Show(objectKey ?? string.Empty, 120)}' cannot be stored under '{workFolder}': {problem}. The message that named it is not trustworthy; remove it from the queue.",
            objectKey);
    }

    /// <summary>Like <see cref="Resolve"/>, returning false and the reason instead of throwing.</summary>
    public static bool TryResolve(string workFolder, string? objectKey, out string path, out string problem)
    {
        ArgumentException.ThrowIfNullOrEmpty(workFolder);
        path = string.Empty;
        problem = ObjectLocation.ProblemWithKey(objectKey) ?? string.Empty;
        if (problem.Length > 0)
            return false;

        var segments = objectKey!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            problem = "it has no name, only '/' characters";
            return false;
        }
        if (segments.Length > MaxDepth)
        {
            problem = $"it has {segments.Length} folder levels (at most {MaxDepth})";
            return false;
        }

        var root = Path.GetFullPath(workFolder);
        var parts = new string[segments.Length + 1];
        parts[0] = root;
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] is "." or "..")
            {
                problem = $"it contains a '{segments[i]}' segment, which would leave the work folder";
                return false;
            }
            parts[i + 1] = SafeSegment(segments[i]);
        }

        // Defence in depth: whatever the rules above missed, the result must lie inside the work folder.
        var candidate = Path.GetFullPath(Path.Combine(parts));
        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        if (!candidate.StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            problem = "it resolves outside the work folder";
            return false;
        }
        path = candidate;
        return true;
    }

    private static string SafeSegment(string segment)
    {
        var chars = segment.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|')
                chars[i] = '_';
        }
        if (chars[^1] is '.' or ' ')
            chars[^1] = '_';
        var safe = new string(chars);

        var dot = safe.IndexOf('.', StringComparison.Ordinal);
        if (WindowsDeviceNames.Contains(dot < 0 ? safe : safe[..dot]))
            safe = "_" + safe;

        if (Encoding.UTF8.GetByteCount(safe) > MaxSegmentBytes)
        {
            // Keep a readable start and make the end unique to the original segment.
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(segment)))[..16].ToLowerInvariant();
            var keep = safe;
            while (Encoding.UTF8.GetByteCount(keep) > MaxSegmentBytes - 17)
                keep = keep[..^1];
            if (keep.Length > 0 && char.IsHighSurrogate(keep[^1]))
                keep = keep[..^1];
            safe = keep + "~" + hash;
        }
        return safe;
    }
}
