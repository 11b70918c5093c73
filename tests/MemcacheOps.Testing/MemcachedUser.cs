using System.Globalization;
using System.Text;

namespace MemcacheOps.Testing;

/// <summary>A user of memcached's text-protocol authentication (<c>-Y</c>) for tests, with its auth file.</summary>
public sealed class MemcachedUser(string name, string password)
{
    public string Name { get; } = name;

    public string Password { get; } = password;

    /// <summary>The command that authenticates a connection: <c>set &lt;key&gt; 0 0 &lt;len&gt;\r\n&lt;user&gt; &lt;password&gt;\r\n</c>.</summary>
    public string AuthenticationCommand
    {
        get
        {
            var payload = Name + " " + Password;
            return string.Create(CultureInfo.InvariantCulture, $"set auth 0 0 {Encoding.UTF8.GetByteCount(payload)}\r\n{payload}\r\n");
        }
    }

    /// <summary>Writes the <c>user:password</c> file memcached reads (readable by its unprivileged user) and returns its path.</summary>
    internal string WriteAuthFile()
    {
        var folder = Directory.CreateTempSubdirectory("memcacheops-auth-").FullName;
        var path = Path.Combine(folder, "users");
        File.WriteAllText(path, Name + ":" + Password + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        return path;
    }
}
