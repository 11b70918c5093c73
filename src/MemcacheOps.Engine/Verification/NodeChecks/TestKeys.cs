using System.Globalization;
using System.Security.Cryptography;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// The keys one run may touch: all start with <c>memcacheops-test:&lt;run id&gt;:</c>, a prefix no client
/// uses and no other run repeats, so a run on a live server reads and writes only its own items. Every key
/// handed out is remembered so the run deletes it at the end (and a CAS guard keeps it from deleting a value
/// someone else wrote in the meantime, for the one key that cannot carry the prefix: the 1-byte key).
/// </summary>
public sealed class TestKeys
{
    public const string PrefixBase = "memcacheops-test:";

    private readonly object _gate = new();
    private readonly Dictionary<string, TrackedKey> _written = new(StringComparer.Ordinal);

    public TestKeys(string? runId = null)
    {
        RunId = runId ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));
        Prefix = PrefixBase + RunId + ":";
    }

    public string RunId { get; }

    /// <summary>What every key of this run starts with.</summary>
    public string Prefix { get; }

    /// <summary>A text key of this run, remembered for the final cleanup.</summary>
    public string Key(string name)
    {
        var key = Prefix + name;
        if (key.Length > Protocol.KeyCodec.MaxKeyLength)
            throw new ArgumentException($"The test key '{key}' is longer than {Protocol.KeyCodec.MaxKeyLength} bytes.", nameof(name));
        Track(key, base64: false, cas: null);
        return key;
    }

    /// <summary>A key of exactly <paramref name="length"/> bytes: the run's prefix, the name, then filler.</summary>
    public string KeyOfLength(string name, int length)
    {
        var head = Prefix + name + ":";
        if (head.Length > length)
            throw new ArgumentException($"A key of {length} bytes cannot hold the run prefix '{head}'.", nameof(length));
        var key = head + new string('k', length - head.Length);
        Track(key, base64: false, cas: null);
        return key;
    }

    /// <summary>Remembers a key to delete at the end: a base64 token (meta <c>b</c> flag) and, for a key without the prefix, the CAS it must still have.</summary>
    public void Track(string token, bool base64, ulong? cas)
    {
        lock (_gate)
            _written[token] = new TrackedKey(token, base64, cas);
    }

    /// <summary>Forgets a key the check already deleted itself.</summary>
    public void Forget(string token)
    {
        lock (_gate)
            _written.Remove(token);
    }

    public IReadOnlyList<TrackedKey> Written
    {
        get
        {
            lock (_gate)
                return [.. _written.Values];
        }
    }

    public static string Name(string stem, int index) => stem + ":" + index.ToString("D4", CultureInfo.InvariantCulture);
}

/// <summary>A key the run wrote: its token as sent, whether that token is base64, and the CAS guard of a key without the run prefix.</summary>
public sealed record TrackedKey(string Token, bool Base64, ulong? Cas);
