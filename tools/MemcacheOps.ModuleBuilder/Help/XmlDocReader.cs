using System.Text;
using System.Xml.Linq;

namespace MemcacheOps.ModuleBuilder.Help;

/// <summary>
/// Reads cmdlet help from the compiler's XML documentation file, the one reviewed source of the help.
/// Conventions (on the cmdlet class unless noted):
/// <list type="bullet">
/// <item><c>&lt;summary&gt;&lt;para type="synopsis"&gt;</c>: one sentence; <c>&lt;para type="description"&gt;</c>: one or more paragraphs.</item>
/// <item><c>&lt;example&gt;&lt;code&gt;commands&lt;/code&gt;&lt;para&gt;what they do&lt;/para&gt;&lt;/example&gt;</c>, one element per example.</item>
/// <item><c>&lt;seealso cref="OtherCommand"/&gt;</c> (checked by the compiler, shown as the cmdlet name) or
///   <c>&lt;seealso href="uri"&gt;text&lt;/seealso&gt;</c>: related links; <c>&lt;remarks&gt;</c>: notes.</item>
/// <item>On each parameter property: <c>&lt;summary&gt;&lt;para type="description"&gt;</c>.</item>
/// <item>A parameter declared by a base class (shared by several cmdlets) takes the description on the base
///   property, unless the cmdlet says what the parameter means for it in its class comment:
///   <c>&lt;parameter name="RingForm"&gt;&lt;para type="description"&gt;</c>. That element wins.</item>
/// </list>
/// </summary>
public sealed class XmlDocReader
{
    private readonly Dictionary<string, XElement> _members;

    private XmlDocReader(Dictionary<string, XElement> members) => _members = members;

    public static XmlDocReader Load(string path)
    {
        var doc = XDocument.Load(path, LoadOptions.PreserveWhitespace);
        var members = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var member in doc.Descendants("member"))
        {
            if (member.Attribute("name")?.Value is { } name)
                members[name] = member;
        }
        return new XmlDocReader(members);
    }

    /// <summary>
    /// The help of a cmdlet class. <paramref name="parameters"/> are (name, declaring type) pairs;
    /// <paramref name="cmdletNamesByType"/> turns a seealso cref to a cmdlet class into the cmdlet's name.
    /// </summary>
    public CmdletHelp ReadCmdlet(string typeFullName, IEnumerable<(string Name, string DeclaringType)> parameters, IReadOnlyDictionary<string, string> cmdletNamesByType)
    {
        _members.TryGetValue("T:" + typeFullName, out var member);
        var paramHelp = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, declaring) in parameters)
        {
            if (_members.TryGetValue($"P:{declaring}.{name}", out var property))
                paramHelp[name] = Paragraphs(property.Element("summary"), "description");
        }
        if (member is null)
            return new CmdletHelp { Parameters = paramHelp };
        var describedOnClass = new List<string>();
        foreach (var parameter in member.Elements("parameter"))
        {
            var name = parameter.Attribute("name")?.Value ?? string.Empty;
            describedOnClass.Add(name);
            paramHelp[name] = Paragraphs(parameter, "description");
        }
        return new CmdletHelp
        {
            Synopsis = Paragraphs(member.Element("summary"), "synopsis") is [var first, ..] ? first : null,
            Description = Paragraphs(member.Element("summary"), "description"),
            Examples = member.Elements("example").Select(e => new HelpExample(
                Code(e.Element("code")),
                e.Elements("para").Select(p => Text(p)).Where(t => t.Length > 0).ToList())).ToList(),
            Links = member.Elements("seealso").Select(e => Link(e, cmdletNamesByType)).Where(l => l.Text.Length > 0).ToList(),
            Notes = member.Element("remarks") is { } remarks
                ? (remarks.Elements("para").Any() ? remarks.Elements("para").Select(p => Text(p)).ToList() : [Text(remarks)])
                : [],
            Parameters = paramHelp,
            ParametersDescribedOnClass = describedOnClass,
        };
    }

    private static IReadOnlyList<string> Paragraphs(XElement? summary, string type)
        => summary?.Elements("para").Where(p => (string?)p.Attribute("type") == type).Select(p => Text(p)).Where(t => t.Length > 0).ToList() ?? [];

    private static HelpLink Link(XElement seeAlso, IReadOnlyDictionary<string, string> cmdletNamesByType)
    {
        if (seeAlso.Attribute("href")?.Value is { } href)
        {
            // An absolute URI is a web link; anything else (about_MemcacheOps) names a help topic.
            var text = Text(seeAlso);
            var isUri = System.Uri.TryCreate(href, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
            return new HelpLink(text.Length > 0 ? text : href, isUri ? href : null);
        }
        var cref = seeAlso.Attribute("cref")?.Value ?? string.Empty;
        var target = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        return new HelpLink(cmdletNamesByType.TryGetValue(target, out var cmdlet) ? cmdlet : ShortName(target), null);
    }

    /// <summary>Paragraph text: inline markup flattened, white space collapsed (doc comments wrap lines freely).</summary>
    public static string Text(XElement element)
    {
        var sb = new StringBuilder();
        Append(element, sb);
        return string.Join(' ', sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static void Append(XElement element, StringBuilder sb)
    {
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText text:
                    sb.Append(text.Value);
                    break;
                case XElement { Name.LocalName: "see" or "seealso" } see:
                    var cref = see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? see.Attribute("href")?.Value ?? string.Empty;
                    sb.Append(see.IsEmpty ? ShortName(cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref) : Text(see));
                    break;
                case XElement { Name.LocalName: "paramref" or "typeparamref" } reference:
                    sb.Append(reference.Attribute("name")?.Value);
                    break;
                case XElement inner:
                    Append(inner, sb);
                    break;
            }
        }
    }

    /// <summary>Code keeps its lines; the common indentation that doc comments add is removed.</summary>
    private static string Code(XElement? code)
    {
        if (code is null)
            return string.Empty;
        var lines = code.Value.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[0]))
            lines.RemoveAt(0);
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1]))
            lines.RemoveAt(lines.Count - 1);
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..].TrimEnd() : l.Trim()));
    }

    private static string ShortName(string name)
    {
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0)
            name = name[..paren];
        var dot = name.LastIndexOf('.');
        return dot >= 0 ? name[(dot + 1)..] : name;
    }
}
