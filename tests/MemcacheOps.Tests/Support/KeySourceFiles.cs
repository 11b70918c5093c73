using MemcacheOps.Engine.KeySources;

namespace MemcacheOps.Tests.Support;

/// <summary>Key files written for tests, deleted when the test process ends.</summary>
internal static class KeySourceFiles
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("memcacheops-keyfiles-").FullName;

    static KeySourceFiles() => AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(Folder, recursive: true);

    /// <summary>Writes <paramref name="lines"/> to a new key file and returns its path.</summary>
    public static string Write(params string[] lines)
    {
        var path = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>A key source reading a new key file of <paramref name="keys"/>.</summary>
    public static KeySource Of(params string[] keys) => KeySource.FromFile(Write(keys));
}
