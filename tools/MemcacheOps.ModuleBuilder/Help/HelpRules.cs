using MemcacheOps.ModuleBuilder.Metadata;

namespace MemcacheOps.ModuleBuilder.Help;

/// <summary>
/// What every cmdlet's help must have. The help generator fails the build on any problem, and the module
/// tests check the generated MAML against the same rules.
/// </summary>
public static class HelpRules
{
    public const int MinimumExamples = 2;

    /// <summary>Reads the help of every cmdlet of the catalog.</summary>
    public static IReadOnlyList<(CmdletDescriptor Cmdlet, CmdletHelp Help)> Read(CmdletCatalog catalog, XmlDocReader docs)
    {
        var names = catalog.Cmdlets.ToDictionary(c => c.TypeFullName, c => c.Name, StringComparer.Ordinal);
        return catalog.Cmdlets
            .Select(c => (c, docs.ReadCmdlet(c.TypeFullName, c.Parameters.Select(p => (p.Name, p.DeclaringTypeFullName)), names)))
            .ToList();
    }

    /// <summary>Every missing piece, as a sentence that says where to add it.</summary>
    public static IReadOnlyList<string> Problems(CmdletDescriptor cmdlet, CmdletHelp help)
    {
        var problems = new List<string>();
        var where = $"the XML doc comment of {cmdlet.ClassName}";
        if (string.IsNullOrWhiteSpace(help.Synopsis))
            problems.Add($"{cmdlet.Name} has no synopsis: add <para type=\"synopsis\"> to the <summary> of {where}.");
        if (help.Description.Count == 0)
            problems.Add($"{cmdlet.Name} has no description: add <para type=\"description\"> to the <summary> of {where}.");
        var complete = help.Examples.Count(e => e.Code.Length > 0 && e.Remarks.Count > 0);
        if (complete < MinimumExamples)
            problems.Add($"{cmdlet.Name} has {complete} complete example(s), needs at least {MinimumExamples}: add <example><code>...</code><para>...</para></example> to {where}.");
        if (help.Links.Count == 0)
            problems.Add($"{cmdlet.Name} has no related links: add <seealso cref=\"...\"/> or <seealso href=\"...\">...</seealso> to {where}.");
        foreach (var name in help.ParametersDescribedOnClass)
        {
            // One place per description: a cmdlet's own parameter is described on its property.
            var parameter = cmdlet.Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (parameter is null)
                problems.Add($"{cmdlet.Name} has no parameter -{name}: remove <parameter name=\"{name}\"> from {where}.");
            else if (parameter.DeclaringTypeFullName == cmdlet.TypeFullName)
                problems.Add($"{cmdlet.Name} -{name} is declared by {cmdlet.ClassName} itself: describe it on its property, not with <parameter name=\"{name}\"> in {where}.");
        }
        foreach (var parameter in cmdlet.Parameters)
        {
            if (!help.Parameters.TryGetValue(parameter.Name, out var text) || text.Count == 0)
                problems.Add($"{cmdlet.Name} -{parameter.Name} has no description: add <summary><para type=\"description\">...</para></summary> to the property {parameter.DeclaringTypeFullName}.{parameter.Name}.");
        }
        return problems;
    }
}
