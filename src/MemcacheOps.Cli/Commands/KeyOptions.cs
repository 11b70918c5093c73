using MemcacheOps.Cli.Arguments;
using MemcacheOps.Engine.KeySources;

namespace MemcacheOps.Cli.Commands;

/// <summary>
/// --key-file (and, where a verb has it, --key): keys given instead of a listing, for servers that do not
/// list their keys. Shared by export, compare and move so they read keys alike.
/// </summary>
public static class KeyOptions
{
    /// <summary>--key for the verbs that do not have their own (export declares its own, with the same meaning).</summary>
    public static readonly OptionSpec Key = new("key", OptionKind.List,
        "Use only these keys instead of listing the servers (repeat or comma-separate); for servers that do not list their keys.")
    { ValueName = "KEY" };

    public static readonly OptionSpec KeyFile = new("key-file", OptionKind.Value,
        "Use only the keys in FILE (one per line, 'b64:' + base64 for binary keys) instead of listing the servers; for servers that do not list their keys. Keys a server lacks are reported missing.")
    { ValueName = "FILE" };

    /// <summary>
    /// The key source the command line gives, or null (list the servers). --key values go to a private
    /// temporary file owned by <paramref name="owner"/>, which the caller disposes after the run.
    /// </summary>
    public static KeySource? Build(ParsedArguments args, out IDisposable? owner)
    {
        owner = null;
        var file = args.Value("key-file");
        var keys = args.List("key");
        if (file is not null && keys.Count > 0)
            throw new UsageException("Give the keys one way: --key-file or --key, not both.");
        if (file is not null)
            return KeySource.FromFile(file);
        if (keys.Count == 0)
            return null;
        var collector = new KeyCollector("--key value");
        owner = collector;
        foreach (var key in keys)
            collector.Add(key);
        return collector.ToKeySource();
    }
}
