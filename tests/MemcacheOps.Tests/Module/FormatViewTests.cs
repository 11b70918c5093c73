using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MemcacheOps.Tests.Module;

/// <summary>MemcacheOps.Format.ps1xml: a default table view of 4-6 columns for every type any cmdlet declares in [OutputType].</summary>
[Collection(ModuleCollection.Name)]
public sealed partial class FormatViewTests(ModuleFixture module)
{
    [Fact]
    public void EveryOutputType_HasADefaultTableView()
    {
        var viewed = TableViews().Select(v => v.Type).ToHashSet(StringComparer.Ordinal);
        // Types of the runtime itself (the bools of Test-MemcacheNode -Quiet) keep PowerShell's own formatting:
        // a view for System.Boolean would change how every bool in the session is shown.
        var outputTypes = module.Cmdlets.SelectMany(c => c.OutputTypes.Where(t => !t.StartsWith("System.", StringComparison.Ordinal)).Select(t => (Cmdlet: c.Name, Type: t))).ToList();
        Assert.NotEmpty(outputTypes);
        var missing = outputTypes.Where(o => !viewed.Contains(o.Type)).Select(o => $"{o.Cmdlet}: {o.Type}").ToList();
        Assert.True(missing.Count == 0, "No table view in module/MemcacheOps.Format.ps1xml for: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryView_HasFourToSixColumns_WithAHeaderEach()
    {
        foreach (var (type, table) in TableViews())
        {
            var headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").Count();
            var items = table.Descendants("TableColumnItems").Single().Elements("TableColumnItem").Count();
            Assert.InRange(items, 4, 6);
            Assert.True(headers == items, $"{type}: {headers} headers for {items} columns");
        }
    }

    [Fact]
    public void EveryView_OnlyUsesPropertiesTheTypeHas()
    {
        foreach (var (typeName, table) in TableViews())
        {
            var type = module.Catalog.FindType(typeName);
            Assert.True(type is not null, $"view for unknown type {typeName}");
            var properties = type!.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var item in table.Descendants("TableColumnItem"))
            {
                if (item.Element("PropertyName")?.Value is { } property)
                    Assert.True(properties.Contains(property), $"{typeName} has no property {property}");
                foreach (Match m in PipelineProperty().Matches(item.Element("ScriptBlock")?.Value ?? string.Empty))
                    Assert.True(properties.Contains(m.Groups[1].Value), $"{typeName} has no property {m.Groups[1].Value}");
            }
        }
    }

    [Fact]
    public void ScriptBlocks_CallOnlyExistingHelpers()
    {
        foreach (var script in module.Format.Descendants("ScriptBlock").Select(s => s.Value))
        {
            foreach (Match m in StaticCall().Matches(script))
            {
                var type = module.Catalog.FindType(m.Groups[1].Value);
                Assert.True(type is not null, $"{m.Groups[1].Value} does not exist");
                Assert.True(type!.IsPublic, $"{m.Groups[1].Value} must be public for the views");
                Assert.Contains(type.GetMethods(BindingFlags.Public | BindingFlags.Static), method => method.Name == m.Groups[2].Value);
            }
        }
    }

    private IEnumerable<(string Type, XElement Table)> TableViews()
        => module.Format.Descendants("View")
            .Where(v => v.Element("TableControl") is not null)
            .SelectMany(v => v.Element("ViewSelectedBy")!.Elements("TypeName").Select(t => (t.Value.Trim(), v.Element("TableControl")!)));

    [GeneratedRegex(@"\$_\.(\w+)")]
    private static partial Regex PipelineProperty();

    [GeneratedRegex(@"\[([\w.]+)\]::(\w+)\(")]
    private static partial Regex StaticCall();
}
