namespace MemcacheOps.ModuleBuilder.Help;

/// <summary>The help of one cmdlet as written in its XML doc comments.</summary>
public sealed record CmdletHelp
{
    public string? Synopsis { get; init; }
    public IReadOnlyList<string> Description { get; init; } = [];
    public IReadOnlyList<HelpExample> Examples { get; init; } = [];
    public IReadOnlyList<HelpLink> Links { get; init; } = [];

    /// <summary>Paragraphs of &lt;remarks&gt;: shown as NOTES.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Descriptions of the parameters, by parameter name (paragraphs).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Names of the &lt;parameter name="..."&gt; elements of the class comment (descriptions of inherited parameters).</summary>
    public IReadOnlyList<string> ParametersDescribedOnClass { get; init; } = [];
}

/// <summary>An example: the command(s) and the paragraphs that explain them.</summary>
public sealed record HelpExample(string Code, IReadOnlyList<string> Remarks);

/// <summary>A related link: another command or topic by name, or a URI.</summary>
public sealed record HelpLink(string Text, string? Uri);
