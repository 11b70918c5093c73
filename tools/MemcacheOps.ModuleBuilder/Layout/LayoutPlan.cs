namespace MemcacheOps.ModuleBuilder.Layout;

/// <summary>A file to place in the module folder: where it comes from and its path under the root or dependencies/.</summary>
public sealed record PlannedFile(string Source, string RelativePath);

/// <summary>
/// What the MSBuild layout target hands to the tool, one "kind|value[|value]" line each:
/// out, manifest, format, about, root (cmdlets run-time files), dependency (adapters run-time files),
/// reference (compile references of the cmdlets assembly, for reading it by metadata).
/// </summary>
public sealed class LayoutPlan
{
    public required string OutputDirectory { get; init; }
    public required string Manifest { get; init; }
    public required string Format { get; init; }
    public required string About { get; init; }
    public required IReadOnlyList<PlannedFile> RootFiles { get; init; }
    public required IReadOnlyList<PlannedFile> DependencyFiles { get; init; }
    public required IReadOnlyList<string> References { get; init; }

    public static LayoutPlan Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var root = new List<PlannedFile>();
        var dependencies = new List<PlannedFile>();
        var references = new List<string>();
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.Length == 0)
                continue;
            var parts = line.Split('|');
            switch (parts[0])
            {
                case "root" when parts.Length == 3:
                    root.Add(new PlannedFile(parts[1], parts[2]));
                    break;
                case "dependency" when parts.Length == 3:
                    dependencies.Add(new PlannedFile(parts[1], parts[2]));
                    break;
                case "reference" when parts.Length == 2:
                    references.Add(parts[1]);
                    break;
                case "out" or "manifest" or "format" or "about" when parts.Length == 2:
                    values[parts[0]] = parts[1];
                    break;
                default:
                    throw new FormatException($"{path}: unexpected line '{line}'.");
            }
        }
        string Required(string key) => values.TryGetValue(key, out var v) ? v : throw new FormatException($"{path}: no '{key}' line.");
        return new LayoutPlan
        {
            OutputDirectory = Required("out"),
            Manifest = Required("manifest"),
            Format = Required("format"),
            About = Required("about"),
            RootFiles = root,
            DependencyFiles = dependencies,
            References = references,
        };
    }
}
