using System.Globalization;
using System.Security.Cryptography;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Where an importer puts what it downloads: a private folder of its own (0700) under -WorkFolder (default: the
/// system's temporary folder), with one subfolder per download slot so concurrent chunks never share a path,
/// and removed with everything in it when the import ends. Object keys become paths only through
/// <see cref="Cloud.ChunkLocalPath"/>, so nothing a message names can land outside it.
/// </summary>
internal sealed class WorkFolder : IDisposable
{
    private WorkFolder(string root) => Root = root;

    public string Root { get; }

    /// <summary>Creates <c>&lt;parent&gt;/memcacheops-&lt;pid&gt;-&lt;random&gt;</c>; the parent is created (0700) when missing.</summary>
    public static WorkFolder Create(string? parent)
    {
        var baseFolder = Path.GetFullPath(string.IsNullOrWhiteSpace(parent) ? Path.GetTempPath() : parent);
        var root = Path.Combine(baseFolder, string.Create(CultureInfo.InvariantCulture,
            $"memcacheops-{Environment.ProcessId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}"));
        PrivateFiles.CreateDirectory(root);
        return new WorkFolder(root);
    }

    /// <summary>The folder of download slot <paramref name="index"/> (created on first download).</summary>
    public string Slot(int index) => Path.Combine(Root, string.Create(CultureInfo.InvariantCulture, $"slot-{index}"));

    /// <summary>The folder manifests are downloaded to.</summary>
    public string Manifests => Path.Combine(Root, "manifests");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a file another process holds open stays behind in a temporary folder.
        }
    }
}
