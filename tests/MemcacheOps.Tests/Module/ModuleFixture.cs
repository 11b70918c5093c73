using System.Xml.Linq;
using MemcacheOps.ModuleBuilder.Layout;
using MemcacheOps.ModuleBuilder.Manifest;
using MemcacheOps.ModuleBuilder.Metadata;

namespace MemcacheOps.Tests.Module;

/// <summary>
/// The built module as users get it: artifacts/module/MemcacheOps (laid out by the build of
/// tools/MemcacheOps.ModuleBuilder, which this test project references), its manifest, views and help,
/// and the cmdlets read by metadata. A missing layout fails every module test with the command to run.
/// </summary>
public sealed class ModuleFixture : IDisposable
{
    public ModuleFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        LayoutDirectory = Path.Combine(RepositoryRoot, "artifacts", "module", ModuleLayout.ModuleName);
        BuildDirectory = Path.Combine(RepositoryRoot, "artifacts", "module-build");
        var cmdlets = Path.Combine(LayoutDirectory, ModuleLayout.CmdletsAssembly + ".dll");
        var references = Path.Combine(BuildDirectory, LayoutBuilder.ReferencesFile);
        if (!File.Exists(cmdlets) || !File.Exists(references))
            throw new InvalidOperationException($"The module layout is missing ({cmdlets}). Build first: dotnet build MemcacheOps.sln");
        ReferencePaths = File.ReadAllLines(references).Where(l => l.Length > 0).ToList();
        Catalog = CmdletCatalog.Open(cmdlets, ReferencePaths);
        RootManifest = ModuleManifest.Load(Path.Combine(RepositoryRoot, ModuleLayout.ManifestFile));
        LayoutManifest = ModuleManifest.Load(Path.Combine(LayoutDirectory, ModuleLayout.ManifestFile));
        Format = XDocument.Load(Path.Combine(LayoutDirectory, ModuleLayout.FormatFile));
        Maml = XDocument.Load(Path.Combine(LayoutDirectory, ModuleLayout.Culture, ModuleLayout.CmdletHelpFile));
    }

    public string RepositoryRoot { get; }
    public string LayoutDirectory { get; }
    public string BuildDirectory { get; }
    public IReadOnlyList<string> ReferencePaths { get; }
    public CmdletCatalog Catalog { get; }
    public IReadOnlyList<CmdletDescriptor> Cmdlets => Catalog.Cmdlets;
    public ModuleManifest RootManifest { get; }
    public ModuleManifest LayoutManifest { get; }
    public XDocument Format { get; }
    public XDocument Maml { get; }

    public void Dispose() => Catalog.Dispose();

    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MemcacheOps.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"MemcacheOps.sln not found above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class ModuleCollection : ICollectionFixture<ModuleFixture>
{
    public const string Name = "Module";
}
