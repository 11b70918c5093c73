namespace MemcacheOps.ModuleBuilder.Metadata;

/// <summary>One compiled cmdlet as its metadata declares it (read without loading it for execution).</summary>
public sealed record CmdletDescriptor
{
    public required string Verb { get; init; }
    public required string Noun { get; init; }
    public string Name => Verb + "-" + Noun;

    /// <summary>Full name of the implementing class, e.g. MemcacheOps.Cmdlets.Commands.GetMemcacheStatsCommand.</summary>
    public required string TypeFullName { get; init; }

    public required string ClassName { get; init; }
    public required IReadOnlyList<string> Aliases { get; init; }
    public bool SupportsShouldProcess { get; init; }

    /// <summary>ConfirmImpact as PowerShell names it (None, Low, Medium, High); Medium when not set.</summary>
    public string ConfirmImpact { get; init; } = "Medium";

    public string? DefaultParameterSetName { get; init; }

    /// <summary>Full names of the types in [OutputType] attributes.</summary>
    public required IReadOnlyList<string> OutputTypes { get; init; }

    public required IReadOnlyList<ParameterDescriptor> Parameters { get; init; }

    /// <summary>Parameter set names declared explicitly; empty when every parameter is in all sets.</summary>
    public IReadOnlyList<string> ExplicitParameterSets
        => Parameters.SelectMany(p => p.Sets).Select(s => s.Name).Where(n => n != ParameterSetBinding.AllSets).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The effective parameter sets: the explicit ones, or one implicit set when there are none.</summary>
    public IReadOnlyList<string> EffectiveParameterSets
        => ExplicitParameterSets is { Count: > 0 } sets ? sets : [ParameterSetBinding.AllSets];

    /// <summary>The parameters of a set with their binding in it (all-sets parameters included).</summary>
    public IEnumerable<(ParameterDescriptor Parameter, ParameterSetBinding Binding)> ParametersIn(string set)
    {
        foreach (var p in Parameters)
        {
            var binding = p.Sets.FirstOrDefault(s => string.Equals(s.Name, set, StringComparison.OrdinalIgnoreCase))
                          ?? p.Sets.FirstOrDefault(s => s.Name == ParameterSetBinding.AllSets);
            if (binding is not null)
                yield return (p, binding);
        }
    }
}

/// <summary>One cmdlet parameter (a public property with [Parameter]).</summary>
public sealed record ParameterDescriptor
{
    public required string Name { get; init; }

    /// <summary>Full name of the property type, e.g. System.String[] or System.Nullable`1[[System.DateTime...]].</summary>
    public required string TypeFullName { get; init; }

    /// <summary>How help shows the type: String[], SwitchParameter, DateTime (nullable unwrapped).</summary>
    public required string TypeDisplayName { get; init; }

    /// <summary>Enum member names when the type (or its nullable/array element) is an enum.</summary>
    public required IReadOnlyList<string> EnumValues { get; init; }

    /// <summary>The class that declares the property (the cmdlet or its base class): its XML docs hold the description.</summary>
    public required string DeclaringTypeFullName { get; init; }

    public required IReadOnlyList<string> Aliases { get; init; }
    public required IReadOnlyList<ParameterSetBinding> Sets { get; init; }
    public bool IsSwitch { get; init; }
    public bool SupportsWildcards { get; init; }
}

/// <summary>How a parameter binds in one parameter set (one [Parameter] attribute).</summary>
public sealed record ParameterSetBinding
{
    /// <summary>PowerShell's name for "every parameter set".</summary>
    public const string AllSets = "__AllParameterSets";

    public string Name { get; init; } = AllSets;
    public bool Mandatory { get; init; }

    /// <summary>Position, or null when the parameter is named only.</summary>
    public int? Position { get; init; }

    public bool ValueFromPipeline { get; init; }
    public bool ValueFromPipelineByPropertyName { get; init; }
    public bool ValueFromRemainingArguments { get; init; }
    public bool DontShow { get; init; }
    public bool IsPipelineBindable => ValueFromPipeline || ValueFromPipelineByPropertyName;
}
