using System.Xml.Linq;
using MemcacheOps.ModuleBuilder.Help;
using MemcacheOps.ModuleBuilder.Metadata;

namespace MemcacheOps.Tests.Module;

/// <summary>
/// The generated help (en-US/MemcacheOps.Cmdlets.dll-Help.xml): every compiled cmdlet has a synopsis, a
/// description, at least two examples, related links, and a description for every parameter. The build
/// already fails on a gap (error MOB002); these tests read the file users get.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class HelpTests(ModuleFixture module)
{
    private static readonly XNamespace Command = MamlWriter.CommandNamespace;
    private static readonly XNamespace Maml = MamlWriter.MamlNamespace;
    private static readonly XNamespace Dev = MamlWriter.DevNamespace;

    public static TheoryData<string> CmdletNames()
    {
        using var fixture = new ModuleFixture();
        var data = new TheoryData<string>();
        foreach (var cmdlet in fixture.Cmdlets)
            data.Add(cmdlet.Name);
        return data;
    }

    [Fact]
    public void EveryCompiledCmdlet_HasOneHelpEntry()
    {
        var documented = module.Maml.Root!.Elements(Command + "command")
            .Select(c => (string?)c.Element(Command + "details")?.Element(Command + "name"))
            .Order(StringComparer.OrdinalIgnoreCase).ToList();
        Assert.Equal(module.Cmdlets.Select(c => c.Name).Order(StringComparer.OrdinalIgnoreCase), documented);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Cmdlet_HasSynopsisDescriptionExamplesAndLinks(string name)
    {
        var command = Entry(name);
        Assert.False(string.IsNullOrWhiteSpace(Paragraphs(command.Element(Command + "details")!.Element(Maml + "description"))), $"{name}: synopsis");
        Assert.False(string.IsNullOrWhiteSpace(Paragraphs(command.Element(Maml + "description"))), $"{name}: description");
        var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
        Assert.True(examples.Count >= HelpRules.MinimumExamples, $"{name}: {examples.Count} examples");
        foreach (var example in examples)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)example.Element(Dev + "code")), $"{name}: example code");
            Assert.False(string.IsNullOrWhiteSpace(Paragraphs(example.Element(Dev + "remarks"))), $"{name}: example remarks");
        }
        Assert.NotEmpty(command.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink"));
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void EveryParameter_IsDescribed(string name)
    {
        var cmdlet = module.Cmdlets.Single(c => c.Name == name);
        var described = Entry(name).Element(Command + "parameters")!.Elements(Command + "parameter")
            .ToDictionary(p => (string)p.Element(Maml + "name")!, p => Paragraphs(p.Element(Maml + "description")), StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in cmdlet.Parameters)
        {
            Assert.True(described.TryGetValue(parameter.Name, out var text), $"{name} -{parameter.Name} is not in the help");
            Assert.False(string.IsNullOrWhiteSpace(text), $"{name} -{parameter.Name} has no description");
        }
        if (cmdlet.SupportsShouldProcess)
        {
            Assert.Contains("WhatIf", described.Keys);
            Assert.Contains("Confirm", described.Keys);
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void Syntax_HasOneItemPerParameterSet(string name)
    {
        var cmdlet = module.Cmdlets.Single(c => c.Name == name);
        var items = Entry(name).Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        Assert.Equal(cmdlet.EffectiveParameterSets.Count, items.Count);
    }

    [Fact]
    public void XmlDocReader_ReadsTheConventions()
    {
        var path = Path.Combine(Path.GetTempPath(), "memcacheops-doc-" + Guid.NewGuid().ToString("N") + ".xml");
        File.WriteAllText(path, """
            <?xml version="1.0"?>
            <doc><members>
              <member name="T:N.GetThingCommand">
                <summary>
                  <para type="synopsis">Gets   things.</para>
                  <para type="description">First <c>paragraph</c> of
                  the description.</para>
                  <para type="description">Second.</para>
                </summary>
                <example>
                  <code>
                    Get-Thing -Name a |
                        Set-Thing
                  </code>
                  <para>Explains it.</para>
                </example>
                <example><code>Get-Thing</code></example>
                <seealso cref="T:N.SetThingCommand"/>
                <seealso href="https://example.org/docs">Online</seealso>
                <seealso href="about_Things">about_Things</seealso>
                <parameter name="Shared"><para type="description">What it   means for things.</para></parameter>
                <parameter name="Gone"><para type="description">A parameter that was removed.</para></parameter>
              </member>
              <member name="P:N.Base.Name"><summary><para type="description">The name.</para></summary></member>
              <member name="P:N.Base.Shared"><summary><para type="description">What it means in general.</para></summary></member>
            </members></doc>
            """);
        try
        {
            var help = XmlDocReader.Load(path).ReadCmdlet("N.GetThingCommand", [("Name", "N.Base"), ("Shared", "N.Base"), ("Other", "N.GetThingCommand")],
                new Dictionary<string, string> { ["N.SetThingCommand"] = "Set-Thing" });
            Assert.Equal("Gets things.", help.Synopsis);
            Assert.Equal(["First paragraph of the description.", "Second."], help.Description);
            Assert.Equal("Get-Thing -Name a |\n    Set-Thing", help.Examples[0].Code);
            Assert.Equal(["Explains it."], help.Examples[0].Remarks);
            Assert.Equal([new HelpLink("Set-Thing", null), new HelpLink("Online", "https://example.org/docs"), new HelpLink("about_Things", null)], help.Links);
            Assert.Equal(["The name."], help.Parameters["Name"]);
            Assert.False(help.Parameters.ContainsKey("Other"));
            // An inherited parameter: the cmdlet's own words win over the base property's.
            Assert.Equal(["What it means for things."], help.Parameters["Shared"]);
            Assert.Equal(["Shared", "Gone"], help.ParametersDescribedOnClass);

            var cmdlet = new CmdletDescriptor
            {
                Verb = "Get", Noun = "Thing", TypeFullName = "N.GetThingCommand", ClassName = "GetThingCommand", Aliases = [], OutputTypes = [],
                Parameters =
                [
                    new ParameterDescriptor { Name = "Name", TypeFullName = "System.String", TypeDisplayName = "String", EnumValues = [], DeclaringTypeFullName = "N.Base", Aliases = [], Sets = [new ParameterSetBinding()] },
                    new ParameterDescriptor { Name = "Shared", TypeFullName = "System.String", TypeDisplayName = "String", EnumValues = [], DeclaringTypeFullName = "N.Base", Aliases = [], Sets = [new ParameterSetBinding()] },
                    new ParameterDescriptor { Name = "Other", TypeFullName = "System.String", TypeDisplayName = "String", EnumValues = [], DeclaringTypeFullName = "N.GetThingCommand", Aliases = [], Sets = [new ParameterSetBinding()] },
                ],
            };
            var problems = HelpRules.Problems(cmdlet, help);
            Assert.Equal(3, problems.Count);
            Assert.Contains(problems, p => p.Contains("1 complete example(s)", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("-Other has no description", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("has no parameter -Gone", StringComparison.Ordinal));

            // A cmdlet's own parameter is described on its property only.
            var ownOnClass = help with { ParametersDescribedOnClass = ["Other"], Parameters = new Dictionary<string, IReadOnlyList<string>>(help.Parameters) { ["Other"] = ["Text."] } };
            Assert.Contains(HelpRules.Problems(cmdlet, ownOnClass), p => p.Contains("-Other is declared by GetThingCommand itself", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private XElement Entry(string name)
        => module.Maml.Root!.Elements(Command + "command").Single(c => (string?)c.Element(Command + "details")?.Element(Command + "name") == name);

    private static string Paragraphs(XElement? element)
        => string.Join(" ", element?.Elements(Maml + "para").Select(p => p.Value) ?? []);
}
