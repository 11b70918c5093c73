using System.Globalization;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Move;

/// <summary>
/// An independent check of a move: lists both servers, reads every item back with <c>mg</c>, and
/// reports keys whose value or flags differ or that exist on one side only. It shares no code with the
/// move's own change tracking (no CAS, no ring), only the listing and the plain reader.
/// </summary>
internal static class MoveVerifier
{
    public static async Task<List<byte[]>> ListKeysAsync(string endpoint)
    {
        var keys = new List<byte[]>();
        await KeyListingService.ScanAsync(ServerEndpoint.Parse(endpoint), new ListingOptions(), new CollectingSink(), (chunk, _) =>
        {
            var lines = chunk.Span;
            var buffer = new byte[KeyText.MaxDisplayLength];
            while (!lines.IsEmpty)
            {
                var newline = lines.IndexOf((byte)'\n');
                var line = newline < 0 ? lines : lines[..newline];
                lines = newline < 0 ? default : lines[(newline + 1)..];
                if (MetadumpEntry.TryParse(line, out var entry))
                {
                    var n = PercentEncoding.Decode(entry.EncodedKey, buffer);
                    keys.Add(buffer.AsSpan(0, n).ToArray());
                }
            }
            return ValueTask.FromResult(true);
        }, CancellationToken.None);
        return keys;
    }

    /// <summary>Every item of a server, by key hex.</summary>
    public static async Task<Dictionary<string, ItemSnapshot>> SnapshotAsync(string endpoint)
        => await ItemReader.ReadAsync(endpoint, await ListKeysAsync(endpoint));

    /// <summary>Keys (hex) whose item differs between the two servers, restricted to keys <paramref name="include"/> accepts.</summary>
    public static async Task<HashSet<string>> DifferencesAsync(string source, string destination, Func<string, bool>? include = null)
    {
        var a = await SnapshotAsync(source);
        var b = await SnapshotAsync(destination);
        var different = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, item) in a)
        {
            if (!b.TryGetValue(key, out var other) || !item.Value.AsSpan().SequenceEqual(other.Value) || item.Flags != other.Flags)
                different.Add(key);
        }
        foreach (var key in b.Keys)
        {
            if (!a.ContainsKey(key))
                different.Add(key);
        }
        if (include is not null)
            different.RemoveWhere(k => !include(k));
        return different;
    }

    /// <summary>One field of <c>stats</c>.</summary>
    public static long Stat(MemcachedProcess server, string name)
    {
        foreach (var line in server.Send("stats\r\n", "END\r\n").Split("\r\n"))
        {
            var parts = line.Split(' ');
            if (parts.Length == 3 && parts[0] == "STAT" && parts[1] == name)
                return long.Parse(parts[2], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"stats of {server} has no {name}");
    }
}
