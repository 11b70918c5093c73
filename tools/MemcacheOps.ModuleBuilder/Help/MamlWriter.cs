using System.Globalization;
using System.Text;
using System.Xml;
using MemcacheOps.ModuleBuilder.Metadata;

namespace MemcacheOps.ModuleBuilder.Help;

/// <summary>
/// Writes PowerShell's MAML command help (the format Get-Help reads from &lt;Assembly&gt;.dll-Help.xml):
/// name, synopsis, description, one syntax item per parameter set, parameters with their binding,
/// input and output types, notes, examples and related links. Common parameters are added by
/// PowerShell itself; -WhatIf and -Confirm are written for cmdlets that support ShouldProcess.
/// </summary>
public static class MamlWriter
{
    public const string MshNamespace = "http://msh";
    public const string MamlNamespace = "http://schemas.microsoft.com/maml/2004/10";
    public const string CommandNamespace = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public const string DevNamespace = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static readonly ParameterDescriptor WhatIf = ShouldProcessParameter("WhatIf", "wi");
    private static readonly ParameterDescriptor Confirm = ShouldProcessParameter("Confirm", "cf");

    private static readonly Dictionary<string, string> ShouldProcessText = new(StringComparer.Ordinal)
    {
        ["WhatIf"] = "Shows what would happen if the cmdlet runs, without changing anything on any server, file or bucket.",
        ["Confirm"] = "Prompts for confirmation before changing each server or destination.",
    };

    public static string Write(IEnumerable<(CmdletDescriptor Cmdlet, CmdletHelp Help)> cmdlets)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(new StringWriter(sb, CultureInfo.InvariantCulture), settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("helpItems", MshNamespace);
            w.WriteAttributeString("schema", "maml");
            foreach (var (cmdlet, help) in cmdlets)
                WriteCommand(w, cmdlet, help);
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        // StringWriter reports UTF-16; the file is written as UTF-8.
        return sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }

    private static void WriteCommand(XmlWriter w, CmdletDescriptor cmdlet, CmdletHelp help)
    {
        w.WriteStartElement("command", "command", CommandNamespace);
        w.WriteAttributeString("xmlns", "maml", null, MamlNamespace);
        w.WriteAttributeString("xmlns", "dev", null, DevNamespace);

        w.WriteStartElement("details", CommandNamespace);
        w.WriteElementString("name", CommandNamespace, cmdlet.Name);
        w.WriteElementString("verb", CommandNamespace, cmdlet.Verb);
        w.WriteElementString("noun", CommandNamespace, cmdlet.Noun);
        Description(w, help.Synopsis is null ? [] : [help.Synopsis]);
        w.WriteEndElement();

        Description(w, help.Description);

        var parameters = AllParameters(cmdlet).ToList();
        w.WriteStartElement("syntax", CommandNamespace);
        foreach (var set in cmdlet.EffectiveParameterSets)
        {
            w.WriteStartElement("syntaxItem", CommandNamespace);
            w.WriteElementString("name", MamlNamespace, cmdlet.Name);
            var inSet = cmdlet.ParametersIn(set)
                .OrderBy(p => p.Binding.Position ?? int.MaxValue)
                .ThenBy(p => p.Binding.Mandatory ? 0 : 1)
                .ThenBy(p => p.Parameter.Name, StringComparer.Ordinal);
            foreach (var (parameter, binding) in inSet.Where(p => !p.Binding.DontShow))
                Parameter(w, parameter, binding, help, inSyntax: true);
            if (cmdlet.SupportsShouldProcess)
            {
                Parameter(w, WhatIf, WhatIf.Sets[0], help, inSyntax: true);
                Parameter(w, Confirm, Confirm.Sets[0], help, inSyntax: true);
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("parameters", CommandNamespace);
        foreach (var parameter in parameters.Where(p => !p.Sets.All(s => s.DontShow)).OrderBy(p => p.Name, StringComparer.Ordinal))
            Parameter(w, parameter, Summary(parameter), help, inSyntax: false);
        w.WriteEndElement();

        w.WriteStartElement("inputTypes", CommandNamespace);
        foreach (var input in cmdlet.Parameters.Where(p => p.Sets.Any(s => s.IsPipelineBindable)))
        {
            var byValue = input.Sets.Any(s => s.ValueFromPipeline);
            w.WriteStartElement("inputType", CommandNamespace);
            TypeElement(w, input.TypeFullName.Split(',')[0]);
            Description(w, [byValue
                ? $"{input.TypeDisplayName} values, or objects with a {input.Name} property, bind to -{input.Name}."
                : $"Objects with a {input.Name} property bind to -{input.Name}."]);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("returnValues", CommandNamespace);
        foreach (var output in cmdlet.OutputTypes)
        {
            w.WriteStartElement("returnValue", CommandNamespace);
            TypeElement(w, output);
            Description(w, []);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("alertSet", MamlNamespace);
        w.WriteStartElement("alert", MamlNamespace);
        foreach (var note in help.Notes)
            w.WriteElementString("para", MamlNamespace, note);
        w.WriteEndElement();
        w.WriteEndElement();

        w.WriteStartElement("examples", CommandNamespace);
        var number = 0;
        foreach (var example in help.Examples)
        {
            number++;
            w.WriteStartElement("example", CommandNamespace);
            w.WriteElementString("title", MamlNamespace, $"-------------------------- Example {number} --------------------------");
            w.WriteElementString("code", DevNamespace, example.Code);
            w.WriteStartElement("remarks", DevNamespace);
            foreach (var remark in example.Remarks)
                w.WriteElementString("para", MamlNamespace, remark);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("relatedLinks", CommandNamespace);
        foreach (var link in help.Links)
        {
            w.WriteStartElement("navigationLink", MamlNamespace);
            w.WriteElementString("linkText", MamlNamespace, link.Text);
            w.WriteElementString("uri", MamlNamespace, link.Uri ?? string.Empty);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteEndElement();
    }

    private static IEnumerable<ParameterDescriptor> AllParameters(CmdletDescriptor cmdlet)
        => cmdlet.SupportsShouldProcess ? cmdlet.Parameters.Append(WhatIf).Append(Confirm) : cmdlet.Parameters;

    /// <summary>For the PARAMETERS section: required if mandatory in any set, the lowest position, pipeline input from any set.</summary>
    private static ParameterSetBinding Summary(ParameterDescriptor p) => new()
    {
        Mandatory = p.Sets.Any(s => s.Mandatory),
        Position = p.Sets.Select(s => s.Position).Where(x => x is not null).Min(),
        ValueFromPipeline = p.Sets.Any(s => s.ValueFromPipeline),
        ValueFromPipelineByPropertyName = p.Sets.Any(s => s.ValueFromPipelineByPropertyName),
    };

    private static void Parameter(XmlWriter w, ParameterDescriptor p, ParameterSetBinding binding, CmdletHelp help, bool inSyntax)
    {
        w.WriteStartElement("parameter", CommandNamespace);
        w.WriteAttributeString("required", binding.Mandatory ? "true" : "false");
        w.WriteAttributeString("variableLength", p.TypeDisplayName.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false");
        w.WriteAttributeString("globbing", p.SupportsWildcards ? "true" : "false");
        w.WriteAttributeString("pipelineInput", PipelineInput(binding));
        w.WriteAttributeString("position", binding.Position?.ToString(CultureInfo.InvariantCulture) ?? "named");
        w.WriteAttributeString("aliases", p.Aliases.Count > 0 ? string.Join(", ", p.Aliases) : "none");
        w.WriteElementString("name", MamlNamespace, p.Name);
        var text = ShouldProcessText.TryGetValue(p.Name, out var fixedText) && p.DeclaringTypeFullName.Length == 0
            ? [fixedText]
            : help.Parameters.TryGetValue(p.Name, out var paragraphs) ? paragraphs : [];
        Description(w, text);
        if (p.EnumValues.Count > 0)
        {
            w.WriteStartElement("parameterValueGroup", CommandNamespace);
            foreach (var value in p.EnumValues)
            {
                w.WriteStartElement("parameterValue", CommandNamespace);
                w.WriteAttributeString("required", "false");
                w.WriteAttributeString("variableLength", "false");
                w.WriteString(value);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        if (!p.IsSwitch || !inSyntax)
        {
            w.WriteStartElement("parameterValue", CommandNamespace);
            w.WriteAttributeString("required", p.IsSwitch ? "false" : "true");
            w.WriteAttributeString("variableLength", "false");
            w.WriteString(p.TypeDisplayName);
            w.WriteEndElement();
        }
        if (!inSyntax)
        {
            TypeElement(w, p.TypeDisplayName);
            w.WriteElementString("defaultValue", DevNamespace, p.IsSwitch ? "False" : "None");
        }
        w.WriteEndElement();
    }

    private static string PipelineInput(ParameterSetBinding b) => (b.ValueFromPipeline, b.ValueFromPipelineByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    private static void TypeElement(XmlWriter w, string name)
    {
        w.WriteStartElement("type", DevNamespace);
        w.WriteElementString("name", MamlNamespace, name);
        w.WriteElementString("uri", MamlNamespace, string.Empty);
        w.WriteEndElement();
    }

    private static void Description(XmlWriter w, IEnumerable<string> paragraphs)
    {
        w.WriteStartElement("description", MamlNamespace);
        foreach (var para in paragraphs)
            w.WriteElementString("para", MamlNamespace, para);
        w.WriteEndElement();
    }

    private static ParameterDescriptor ShouldProcessParameter(string name, string alias) => new()
    {
        Name = name,
        TypeFullName = "System.Management.Automation.SwitchParameter",
        TypeDisplayName = "SwitchParameter",
        EnumValues = [],
        DeclaringTypeFullName = string.Empty,
        Aliases = [alias],
        Sets = [new ParameterSetBinding()],
        IsSwitch = true,
    };
}
