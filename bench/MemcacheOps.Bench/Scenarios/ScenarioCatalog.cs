using MemcacheOps.Bench.Scenarios.MemcacheOps;
using MemcacheOps.Bench.Scenarios.Raw;
using MemcacheOps.Bench.Scenarios.Tools;

namespace MemcacheOps.Bench.Scenarios;

/// <summary>Every scenario the harness knows, and the groups that name several at once.</summary>
internal static class ScenarioCatalog
{
    public static readonly IReadOnlyList<IScenario> All =
    [
        // Raw protocol limits: plain sockets, independent of the engine; the yardstick.
        new RawMetadumpScenario(),
        new RawGetScenario(),
        new RawMgScenario(),
        new RawMgScenario(tls: true),
        new RawMgListedScenario(),
        new RawMsScenario(),

        // The raw programs doing part or all of the unavoidable work of an export or a move at the same time.
        new RawListMgScenario(),
        new RawDumpScenario(),
        new RawCopyScenario(),

        // Other tools doing comparable work (skipped with a note when not installed).
        new MemcachedToolDumpScenario(),
        new MemcdumpScenario(),

        // MemcacheOps itself, through the engine (one class per file under Scenarios/MemcacheOps/).
        new KeysScenario(),
        new ExportScenario(),
        new ImportScenario(),
        ImportRingScenario.Ketama,
        ImportRingScenario.Ch3,
        PlacementLookupScenario.Ketama,
        PlacementLookupScenario.Ch3,
        PlacementLookupScenario.Crc32,
        new ExportScenario(tls: true),
        new ImportScenario(tls: true),
        new MoveScenario(),
        new ChecksumScenario(),
        new LatencyClosedScenario(),
        new LatencyOpenScenario(),
    ];

    /// <summary>Names that expand to several scenarios.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Groups = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["raw"] = ["raw-metadump", "raw-get", "raw-mg", "raw-mg-listed", "raw-ms", "raw-list-mg", "raw-dump", "raw-copy"],
        ["tools"] = ["memcached-tool", "memcdump"],
        ["placement"] = ["import-ketama", "import-ch3", "lookup-ketama", "lookup-ch3", "lookup-crc32"],
        ["tls"] = ["raw-tls-mg", "export-tls", "import-tls"],
        ["all"] = [.. All.Select(s => s.Name)],
    };

    public static IScenario? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    /// <summary>Expands groups and checks names; throws with the list of known names when one is unknown.</summary>
    public static IReadOnlyList<IScenario> Resolve(IEnumerable<string> names)
    {
        var resolved = new List<IScenario>();
        foreach (var name in names)
        {
            foreach (var each in Groups.TryGetValue(name, out var members) ? members : [name])
            {
                var scenario = Find(each) ?? throw new ArgumentException(
                    $"Unknown scenario '{each}'. Known: {string.Join(", ", All.Select(s => s.Name))}; groups: {string.Join(", ", Groups.Keys)}.");
                if (!resolved.Contains(scenario))
                    resolved.Add(scenario);
            }
        }
        return resolved;
    }
}
