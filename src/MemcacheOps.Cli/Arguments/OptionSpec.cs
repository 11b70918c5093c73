namespace MemcacheOps.Cli.Arguments;

/// <summary>How an option takes its value.</summary>
public enum OptionKind
{
    /// <summary>A switch: present or not.</summary>
    Flag,
    /// <summary>One value: --name value or --name=value.</summary>
    Value,
    /// <summary>Repeatable; each value may also be comma-separated.</summary>
    List,
}

/// <summary>
/// One command-line option. Names are the kebab-case of the matching cmdlet parameter
/// (-ExpiringBefore is --expiring-before), so scripts move between the two front ends unchanged.
/// </summary>
public sealed record OptionSpec(string Name, OptionKind Kind, string Description, params string[] Aliases)
{
    /// <summary>Placeholder shown in help, e.g. "H:P".</summary>
    public string ValueName { get; init; } = "VALUE";
}
