using MemcacheOps.Engine;
using MemcacheOps.Engine.KeySources;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>
/// The keys a cmdlet is given instead of listing its servers: -KeyFile, -Key, and keys piped in (plain
/// strings, or key objects). Keys arriving one by one go to a private temporary key file (see
/// <see cref="KeyCollector"/>), so any number of them costs bounded memory; the cmdlet disposes this.
/// </summary>
internal sealed class GivenKeys : IDisposable
{
    private KeyCollector? _collector;

    public long Count => _collector?.Count ?? 0;

    /// <summary>Adds keys typed as text (their UTF-8 bytes).</summary>
    public void Add(IEnumerable<string> keys)
    {
        _collector ??= new KeyCollector("given key");
        foreach (var key in keys)
            _collector.Add(key);
    }

    /// <summary>Adds one key given as bytes (a binary key from Get-MemcacheKeys).</summary>
    public void Add(byte[] key)
    {
        _collector ??= new KeyCollector("given key");
        _collector.Add(key);
    }

    /// <summary>
    /// The key source: the key file (<paramref name="keyFile"/>, already a full path), or the keys added;
    /// null when neither was given (the servers are listed). Both at once is an error.
    /// </summary>
    public KeySource? Build(string? keyFile)
    {
        if (keyFile is not null && Count > 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KeysGivenTwice",
                "Give the keys one way: -KeyFile, or -Key and keys piped in, not both.");
        return keyFile is not null ? KeySource.FromFile(keyFile) : _collector?.ToKeySource();
    }

    public void Dispose() => _collector?.Dispose();
}
