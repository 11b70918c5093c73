using System.Text.RegularExpressions;
using MemcacheOps.ModuleBuilder.Metadata;

namespace MemcacheOps.Tests.Module;

/// <summary>
/// The runbooks in examples/ may only name cmdlets and parameters the module really has: every
/// MemcacheOps cmdlet call in them is checked against the compiled metadata, and every script must be
/// explained in docs/runbooks.md. Scripts cannot be run here (no pwsh), so this is what keeps them honest.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed partial class ExampleScriptTests(ModuleFixture module)
{
    private static readonly HashSet<string> CommonParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
    };

    private static readonly HashSet<string> Operators = new(StringComparer.OrdinalIgnoreCase)
    {
        "eq", "ne", "lt", "gt", "le", "ge", "like", "notlike", "match", "notmatch", "replace", "split", "join", "f",
        "and", "or", "not", "xor", "contains", "notcontains", "in", "notin", "is", "isnot", "as", "band", "bor",
    };

    private static List<string> ScriptNames()
        => Directory.GetFiles(Path.Combine(ModuleFixture.FindRepositoryRoot(), "examples"), "*.ps1")
            .Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var name in ScriptNames())
            data.Add(name);
        return data;
    }

    [Fact]
    public void There_are_runbooks_for_every_scenario_the_issue_names()
    {
        var names = ScriptNames();
        Assert.True(names.Count >= 6, "examples/ should hold the six runbooks: " + string.Join(", ", names));
        Assert.Contains(names, n => n.EndsWith(".Tests.ps1", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_names_only_real_cmdlets_and_parameters(string script)
    {
        var text = File.ReadAllText(Path.Combine(module.RepositoryRoot, "examples", script));
        var calls = FindCalls(text).ToList();
        Assert.NotEmpty(calls);
        foreach (var (name, parameters, line) in calls)
        {
            var cmdlet = module.Cmdlets.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)
                || c.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase));
            Assert.True(cmdlet is not null, $"{script}: '{name}' is not a MemcacheOps cmdlet ({line})");
            foreach (var parameter in parameters)
            {
                var known = CommonParameters.Contains(parameter) || cmdlet!.Parameters.Any(p =>
                    string.Equals(p.Name, parameter, StringComparison.OrdinalIgnoreCase) || p.Aliases.Contains(parameter, StringComparer.OrdinalIgnoreCase));
                Assert.True(known, $"{script}: {cmdlet!.Name} has no parameter -{parameter} ({line})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_is_explained_in_the_docs(string script)
    {
        var docs = File.ReadAllText(Path.Combine(module.RepositoryRoot, "docs", "runbooks.md"));
        Assert.Contains(script, docs, StringComparison.Ordinal);
    }

    /// <summary>Each MemcacheOps cmdlet call with the parameter names it uses (comments and strings removed).</summary>
    internal static IEnumerable<(string Name, List<string> Parameters, string Line)> FindCalls(string script)
    {
        var text = BlockComment().Replace(script, " ");
        text = string.Join('\n', text.Split('\n').Select(StripLineComment));
        text = text.Replace("`\r\n", " ", StringComparison.Ordinal).Replace("`\n", " ", StringComparison.Ordinal);
        text = SingleQuoted().Replace(text, "'s'");
        text = DoubleQuoted().Replace(text, "\"s\"");
        foreach (var rawLine in text.Split('\n'))
        {
            foreach (Match match in CmdletName().Matches(rawLine))
            {
                // The call runs to the end of its pipeline element.
                var rest = rawLine[(match.Index + match.Length)..];
                var end = rest.IndexOf('|', StringComparison.Ordinal);
                var segment = end < 0 ? rest : rest[..end];
                var parameters = ParameterToken().Matches(segment).Select(m => m.Groups[1].Value)
                    .Where(p => !Operators.Contains(p)).ToList();
                yield return (match.Value, parameters, rawLine.Trim());
            }
        }
    }

    private static string StripLineComment(string line)
    {
        var inSingle = false;
        var inDouble = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\'' && !inDouble)
                inSingle = !inSingle;
            else if (c == '"' && !inSingle)
                inDouble = !inDouble;
            else if (c == '#' && !inSingle && !inDouble)
                return line[..i];
        }
        return line;
    }

    [GeneratedRegex(@"<#.*?#>", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"'[^'\n]*'")]
    private static partial Regex SingleQuoted();

    [GeneratedRegex("\"[^\"\\n]*\"")]
    private static partial Regex DoubleQuoted();

    [GeneratedRegex(@"\b[A-Z][a-z]+-Memcache[A-Za-z]+\b")]
    private static partial Regex CmdletName();

    [GeneratedRegex(@"(?<![\w$.])-([A-Za-z][A-Za-z0-9]*)")]
    private static partial Regex ParameterToken();
}
