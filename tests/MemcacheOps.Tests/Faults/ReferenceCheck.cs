using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Faults;

/// <summary>Reads reference items back from a server and compares value, all flag bits and remaining TTL with the data set.</summary>
internal static class ReferenceCheck
{
    /// <summary>
    /// Items [0, count) on <paramref name="server"/>: how many are there, and what is wrong with them (at most 20
    /// descriptions). Missing items are a problem unless <paramref name="allowMissing"/> (a source that lost them).
    /// </summary>
    public static async Task<(int Present, List<string> Problems)> CheckAsync(MemcachedProcess server, int count, bool allowMissing = false)
    {
        var keys = Enumerable.Range(0, count).Select(n => ReferenceDataSet.Key(n)).ToList();
        var held = await ItemReader.ReadAsync(server.Endpoint, keys);
        var problems = new List<string>();
        var present = 0;
        for (var n = 0; n < count; n++)
        {
            if (!held.TryGetValue(ItemReader.Id(keys[n]), out var item))
            {
                if (!allowMissing && problems.Count < 20)
                    problems.Add($"key:{n} is missing");
                continue;
            }
            present++;
            var expected = ReferenceDataSet.Item(n);
            if (!item.Value.AsSpan().SequenceEqual(expected.Value) && problems.Count < 20)
                problems.Add($"key:{n} has another value ({item.Value.Length} bytes, expected {expected.Value.Length})");
            if (item.Flags != expected.Flags && problems.Count < 20)
                problems.Add($"key:{n} has flags {item.Flags}, expected {expected.Flags}");
            var ttlOk = expected.ExpirySeconds == 0 ? item.Ttl == -1 : item.Ttl is > 0 and <= ReferenceDataSet.OddItemTtlSeconds;
            if (!ttlOk && problems.Count < 20)
                problems.Add($"key:{n} has TTL {item.Ttl}, expected {(expected.ExpirySeconds == 0 ? "none" : "at most " + ReferenceDataSet.OddItemTtlSeconds)}");
        }
        return (present, problems);
    }

    /// <summary>Every item [0, count) is on the server, exact.</summary>
    public static async Task AssertExactAsync(MemcachedProcess server, int count)
    {
        var (present, problems) = await CheckAsync(server, count);
        Assert.True(problems.Count == 0, $"{server.Endpoint}: {string.Join("; ", problems)}");
        Assert.Equal(count, present);
    }
}
