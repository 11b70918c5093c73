using System.Globalization;
using System.Text;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Names and folders of the MemcacheOps native dump (see docs/dump-format.md):
/// <c>manifest.json</c>, key files in <c>keys/</c>, data files in <c>data/</c>.
/// </summary>
public static class NativeLayout
{
    public const string ManifestFileName = "manifest.json";
    public const string KeysFolder = "keys";
    public const string DataFolder = "data";
    public const string KeyFileExtension = ".keys";
    public const string DataFileExtension = ".v0";

    /// <summary>Suffix of any key or data file while it is being written.</summary>
    public const string StagingSuffix = DataFileWriter.StagingSuffix;

    public static string ManifestPath(string dumpDirectory) => Path.Combine(dumpDirectory, ManifestFileName);

    public static string KeysDirectory(string dumpDirectory) => Path.Combine(dumpDirectory, KeysFolder);

    public static string DataDirectory(string dumpDirectory) => Path.Combine(dumpDirectory, DataFolder);

    /// <summary>
    /// A file-name-safe tag for a server: host and port, with anything other than letters, digits,
    /// '.' and '-' replaced by '-' (so IPv6 colons never reach a file name). "10.0.0.1:11211" -> "10.0.0.1_11211".
    /// </summary>
    public static string ServerTag(string host, int port)
    {
        var tag = new StringBuilder(host.Length + 6);
        foreach (var c in host)
            tag.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
        return tag.Append('_').Append(port.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>Key file number <paramref name="index"/> of a server: <c>&lt;tag&gt;_000042.keys</c>.</summary>
    public static string KeyFileName(string serverTag, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{serverTag}_{index:D6}{KeyFileExtension}");

    /// <summary>Data file <paramref name="part"/> fetched from key file <paramref name="keyFileIndex"/>: <c>&lt;tag&gt;_000042_001.v0</c>.</summary>
    public static string DataFileName(string serverTag, int keyFileIndex, int part) =>
        string.Create(CultureInfo.InvariantCulture, $"{serverTag}_{keyFileIndex:D6}_{part:D3}{DataFileExtension}");

    /// <summary>
    /// True for a plain file name a manifest may list: not empty, no folder separators, not "." or
    /// "..", no control characters. Keeps a tampered manifest from pointing outside the dump.
    /// </summary>
    public static bool IsSafeFileName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name is "." or ".." || name.Length > 255)
            return false;
        foreach (var c in name)
        {
            if (c is '/' or '\\' or ':' || char.IsControl(c))
                return false;
        }
        return true;
    }
}
