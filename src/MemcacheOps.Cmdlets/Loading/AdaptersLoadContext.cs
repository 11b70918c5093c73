using System.Reflection;
using System.Runtime.Loader;
using MemcacheOps.Engine.Adapters;

namespace MemcacheOps.Cmdlets.Loading;

/// <summary>
/// The private load context of the adapters (MemcacheOps.Adapters and its packages: YamlDotNet, AWSSDK.*),
/// resolving from the module's dependencies/ folder. Other modules in the same session load their own
/// builds of those packages (AWS.Tools puts AWSSDK.Core in the default context); here the adapters get
/// the copies they were built with, and neither side sees the other's.
/// <para>
/// What stays shared: the engine (Load returns the very assembly the cmdlets use), because adapter objects
/// cross into it through its interfaces and a second copy would make those interfaces different types; and
/// what PowerShell or the .NET runtime already provides at the requested version or newer (Load returns
/// null, so the default context resolves it once for everyone). A platform assembly older than the one the adapters need is loaded
/// privately from dependencies/ instead.
/// </para>
/// Assemblies are loaded with this context's own LoadFromAssemblyPath, never Assembly.LoadFrom/LoadFile,
/// which would put them in the default context.
/// </summary>
internal sealed class AdaptersLoadContext : AssemblyLoadContext
{
    public const string ContextName = "MemcacheOps.Adapters";
    public const string DependenciesFolder = "dependencies";

    /// <summary>Shared by design; the module layout keeps these at the root only (the layout tool has the same list).</summary>
    public static readonly IReadOnlyList<string> SharedAssemblies = ["MemcacheOps.Engine"];

    private readonly string[] _platformDirectories;

    public AdaptersLoadContext(string dependencyDirectory)
        : base(ContextName, isCollectible: false)
    {
        DependencyDirectory = Path.GetFullPath(dependencyDirectory);
        _platformDirectories = PlatformDirectories();
    }

    public string DependencyDirectory { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (name is null)
            return null;
        if (SharedAssemblies.Contains(name, StringComparer.OrdinalIgnoreCase))
            return Shared(name);
        if (IsProvidedByPlatform(assemblyName))
            return null;
        var folder = string.IsNullOrEmpty(assemblyName.CultureName) ? DependencyDirectory : Path.Combine(DependencyDirectory, assemblyName.CultureName);
        var path = Path.Combine(folder, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>
    /// The copy the cmdlets already use. Returned explicitly rather than left to the default context's binder,
    /// because PowerShell loads module DLLs by path and a by-name bind would not necessarily find them.
    /// </summary>
    private static Assembly? Shared(string name)
    {
        var engine = typeof(IAdapterFactory).Assembly;
        if (string.Equals(engine.GetName().Name, name, StringComparison.OrdinalIgnoreCase))
            return engine;
        return Default.Assemblies.FirstOrDefault(a => string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True when PowerShell's folder or the runtime's holds the assembly at the requested version or newer.</summary>
    private bool IsProvidedByPlatform(AssemblyName requested)
    {
        foreach (var directory in _platformDirectories)
        {
            var candidate = Path.Combine(directory, requested.Name + ".dll");
            if (!File.Exists(candidate))
                continue;
            if (requested.Version is null)
                return true;
            try
            {
                if (AssemblyName.GetAssemblyName(candidate).Version is { } version && version >= requested.Version)
                    return true;
            }
            catch (BadImageFormatException)
            {
                // A native library with a managed-looking name: not a candidate.
            }
        }
        return false;
    }

    /// <summary>The .NET runtime's folder and PowerShell's (PSHOME), where System.Management.Automation was loaded from.</summary>
    private static string[] PlatformDirectories()
    {
        var directories = new List<string>();
        void Add(string location)
        {
            var directory = Path.GetDirectoryName(location);
            if (!string.IsNullOrEmpty(directory) && !directories.Contains(directory, StringComparer.Ordinal))
                directories.Add(directory);
        }
        Add(typeof(object).Assembly.Location);
        foreach (var assembly in Default.Assemblies)
        {
            if (!assembly.IsDynamic && assembly.GetName().Name == "System.Management.Automation" && assembly.Location.Length > 0)
                Add(assembly.Location);
        }
        return [.. directories];
    }
}
