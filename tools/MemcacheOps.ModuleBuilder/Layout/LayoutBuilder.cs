using System.Reflection;
using MemcacheOps.ModuleBuilder.Help;
using MemcacheOps.ModuleBuilder.Manifest;
using MemcacheOps.ModuleBuilder.Metadata;

namespace MemcacheOps.ModuleBuilder.Layout;

/// <summary>A problem that fails the build, with a stable code (MOB001 layout, MOB002 help, MOB003 manifest).</summary>
public sealed record BuildProblem(string Code, string File, string Message);

/// <summary>
/// Assembles the module folder from a <see cref="LayoutPlan"/>: copies the cmdlets' run-time files to the root
/// and the adapters' to dependencies/ (the shared engine stays at the root only), writes the manifest copy,
/// the views, the about topic and the MAML help, then verifies the result.
/// </summary>
public static class LayoutBuilder
{
    /// <summary>Beside the plan: the compile references of the cmdlets assembly, for tests that read it by metadata.</summary>
    public const string ReferencesFile = "cmdlets-references.txt";

    public static IReadOnlyList<BuildProblem> Build(LayoutPlan plan, string buildDirectory)
    {
        var problems = new List<BuildProblem>();
        var output = Path.GetFullPath(plan.OutputDirectory);
        if (Directory.Exists(output))
            Directory.Delete(output, recursive: true);
        Directory.CreateDirectory(output);

        var expected = new List<string>();
        foreach (var file in plan.RootFiles.Where(f => Ships(f.RelativePath)))
            Copy(file.Source, output, file.RelativePath, expected, problems);
        var dependencies = Path.Combine(output, ModuleLayout.DependenciesFolder);
        foreach (var file in plan.DependencyFiles.Where(f => Ships(f.RelativePath) && !IsShared(f.RelativePath)))
            Copy(file.Source, dependencies, file.RelativePath, expected, problems, ModuleLayout.DependenciesFolder);

        File.WriteAllText(Path.Combine(output, ModuleLayout.ManifestFile), ModuleManifest.ForModuleFolder(File.ReadAllText(plan.Manifest)));
        File.Copy(plan.Format, Path.Combine(output, ModuleLayout.FormatFile));
        var culture = Path.Combine(output, ModuleLayout.Culture);
        Directory.CreateDirectory(culture);
        File.Copy(plan.About, Path.Combine(culture, ModuleLayout.AboutHelpFile));

        Directory.CreateDirectory(buildDirectory);
        var referencesFile = Path.Combine(buildDirectory, ReferencesFile);
        File.WriteAllLines(referencesFile, plan.References);

        var cmdlets = Path.Combine(output, ModuleLayout.CmdletsAssembly + ".dll");
        if (File.Exists(cmdlets))
        {
            problems.AddRange(WriteHelp(cmdlets, DocFile(plan), plan.References, Path.Combine(culture, ModuleLayout.CmdletHelpFile)));
            problems.AddRange(CheckVersion(cmdlets, plan.Manifest));
        }
        problems.AddRange(LayoutVerifier.Verify(output, expected).Select(p => new BuildProblem("MOB001", output, p)));
        return problems;
    }

    /// <summary>Generates the MAML help; returns the help problems (the file is written either way, to inspect).</summary>
    public static IReadOnlyList<BuildProblem> WriteHelp(string cmdletsAssembly, string docFile, IEnumerable<string> references, string mamlPath)
    {
        if (!File.Exists(docFile))
            return [new BuildProblem("MOB002", docFile, "The cmdlets' XML documentation file is missing: keep <GenerateDocumentationFile>true</GenerateDocumentationFile> in MemcacheOps.Cmdlets.csproj.")];
        using var catalog = CmdletCatalog.Open(cmdletsAssembly, references);
        var docs = XmlDocReader.Load(docFile);
        var help = HelpRules.Read(catalog, docs);
        File.WriteAllText(mamlPath, MamlWriter.Write(help));
        return help.SelectMany(h => HelpRules.Problems(h.Cmdlet, h.Help)).Select(p => new BuildProblem("MOB002", docFile, p)).ToList();
    }

    /// <summary>DLLs ship; symbols ship for the product's own assemblies (readable stack traces); nothing else does.</summary>
    public static bool Ships(string relativePath)
    {
        var extension = Path.GetExtension(relativePath);
        return extension.Equals(".dll", StringComparison.OrdinalIgnoreCase)
               || (extension.Equals(".pdb", StringComparison.OrdinalIgnoreCase) && Path.GetFileName(relativePath).StartsWith("MemcacheOps.", StringComparison.Ordinal));
    }

    private static bool IsShared(string relativePath)
        => ModuleLayout.SharedAssemblies.Contains(Path.GetFileNameWithoutExtension(relativePath), StringComparer.OrdinalIgnoreCase);

    private static void Copy(string source, string directory, string relativePath, List<string> expected, List<BuildProblem> problems, string? expectedPrefix = null)
    {
        var shown = expectedPrefix is null ? relativePath : Path.Combine(expectedPrefix, relativePath);
        if (!File.Exists(source))
        {
            problems.Add(new BuildProblem("MOB001", source, $"Expected file {shown} is missing: its project reported {source}, which does not exist."));
            return;
        }
        var target = Path.Combine(directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target, overwrite: false);
        expected.Add(shown);
    }

    /// <summary>The XML doc file of the cmdlets assembly: reported by the project, or beside the compiled DLL.</summary>
    private static string DocFile(LayoutPlan plan)
    {
        var name = ModuleLayout.CmdletsAssembly + ".xml";
        var reported = plan.RootFiles.FirstOrDefault(f => f.RelativePath.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (reported is not null)
            return reported.Source;
        var dll = plan.RootFiles.FirstOrDefault(f => f.RelativePath.Equals(ModuleLayout.CmdletsAssembly + ".dll", StringComparison.OrdinalIgnoreCase));
        return dll is null ? name : Path.ChangeExtension(dll.Source, ".xml");
    }

    /// <summary>The version stamped into the cmdlets assembly must be the manifest's ModuleVersion.</summary>
    private static IEnumerable<BuildProblem> CheckVersion(string cmdletsAssembly, string manifestPath)
    {
        var manifestVersion = Version.Parse(ModuleManifest.Load(manifestPath).Version);
        var assemblyVersion = AssemblyName.GetAssemblyName(cmdletsAssembly).Version ?? new Version(0, 0);
        if (Normalize(manifestVersion) != Normalize(assemblyVersion))
            yield return new BuildProblem("MOB003", manifestPath, $"ModuleVersion {manifestVersion} differs from the version {assemblyVersion} stamped into {Path.GetFileName(cmdletsAssembly)}; rebuild the solution so every assembly takes the manifest's version.");
    }

    private static Version Normalize(Version v) => new(v.Major, v.Minor, Math.Max(v.Build, 0), Math.Max(v.Revision, 0));
}
