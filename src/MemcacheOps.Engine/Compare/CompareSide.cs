using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// One side of a comparison as the user named it: a server, a ring of servers (keys are looked up on
/// their ketama owner), or a dump (a MemcacheOps dump folder, a cachemover dump or one data file).
/// </summary>
public sealed class CompareSide
{
    private CompareSide(IReadOnlyList<ServerEndpoint> servers, string? path)
    {
        Servers = servers;
        Path = path;
    }

    /// <summary>The servers of this side; empty for a dump.</summary>
    public IReadOnlyList<ServerEndpoint> Servers { get; }

    /// <summary>The dump's path; null for servers.</summary>
    public string? Path { get; }

    public bool IsDump => Path is not null;

    public static CompareSide FromServers(IEnumerable<ServerEndpoint> servers)
    {
        var list = servers.ToList();
        if (list.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoServer", "A side of the comparison names no server. Give host:port, several comma-separated, or a dump path.");
        return new CompareSide(list, null);
    }

    public static CompareSide FromPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoPath", "A side of the comparison names an empty dump path.");
        return new CompareSide([], path);
    }

    /// <summary>
    /// Applies the one rule both front ends share: a single value that names an existing file or
    /// folder is a dump; anything else is a list of servers (each value may be comma-separated).
    /// <paramref name="resolvePath"/> turns a value into a full path (PowerShell resolves against its
    /// current location); by default the process's current directory is used.
    /// </summary>
    public static CompareSide Resolve(IReadOnlyList<string> values, Func<string, string>? resolvePath = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).ToList();
        if (texts.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "NoServer", "A side of the comparison is empty. Give a server (host:port), several servers, or a dump path.");
        if (texts.Count == 1)
        {
            var full = resolvePath is null ? System.IO.Path.GetFullPath(texts[0]) : resolvePath(texts[0]);
            if (File.Exists(full) || Directory.Exists(full))
                return FromPath(full);
        }
        var servers = new List<ServerEndpoint>();
        foreach (var part in texts.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (ServerEndpoint.TryParse(part, out var endpoint, out var problem))
            {
                servers.Add(endpoint);
                continue;
            }
            var looksLikePath = part.IndexOfAny(['/', '\\']) >= 0 || part.StartsWith('.') || part.StartsWith('~');
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, looksLikePath ? "DumpNotFound" : "InvalidServer",
                looksLikePath
                    ? $"'{part}' is neither an existing dump (no such file or folder) nor a server address. Check the path."
                    : $"'{part}' is neither an existing dump path nor a server address ({problem}). Use host:port, or the path of a dump.",
                part);
        }
        return FromServers(servers);
    }

    /// <summary>The side as shown in results: the dump path or the comma-separated servers.</summary>
    public override string ToString() => Path ?? string.Join(",", Servers);
}
