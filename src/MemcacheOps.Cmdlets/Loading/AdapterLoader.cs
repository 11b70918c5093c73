using MemcacheOps.Engine;
using MemcacheOps.Engine.Adapters;

namespace MemcacheOps.Cmdlets.Loading;

/// <summary>
/// One private load context for a module folder, and the adapters' factory created in it (on first use,
/// so importing the module costs nothing until a cmdlet needs YAML or AWS).
/// </summary>
internal sealed class AdapterLoader
{
    public const string AdaptersAssembly = "MemcacheOps.Adapters";
    public const string FactoryTypeName = "MemcacheOps.Adapters.AdapterFactory";

    private readonly Lazy<IAdapterFactory> _factory;

    private AdapterLoader(string moduleDirectory)
    {
        ModuleDirectory = Path.GetFullPath(moduleDirectory);
        Context = new AdaptersLoadContext(Path.Combine(ModuleDirectory, AdaptersLoadContext.DependenciesFolder));
        _factory = new Lazy<IAdapterFactory>(CreateFactory, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The module folder: MemcacheOps.Cmdlets.dll and MemcacheOps.Engine.dll, with dependencies/ beneath.</summary>
    public string ModuleDirectory { get; }

    public AdaptersLoadContext Context { get; }

    public IAdapterFactory Factory => _factory.Value;

    public static AdapterLoader ForModule(string moduleDirectory) => new(moduleDirectory);

    private IAdapterFactory CreateFactory()
    {
        var path = Path.Combine(Context.DependencyDirectory, AdaptersAssembly + ".dll");
        if (!File.Exists(path))
        {
            throw new MemcacheException(MemcacheErrorKind.ResourceUnavailable, "MemcacheAdaptersMissing",
                $"The module's adapters are missing: {path} does not exist. Rebuild the module (dotnet build MemcacheOps.sln) or reinstall it.", path);
        }
        var assembly = Context.LoadFromAssemblyPath(path);
        var type = assembly.GetType(FactoryTypeName, throwOnError: false)
            ?? throw new MemcacheException(MemcacheErrorKind.ResourceUnavailable, "MemcacheAdaptersInvalid",
                $"{path} has no public class {FactoryTypeName}. The module folder mixes builds; rebuild or reinstall it.", path);
        return Activator.CreateInstance(type) as IAdapterFactory
            ?? throw new MemcacheException(MemcacheErrorKind.ResourceUnavailable, "MemcacheAdaptersInvalid",
                $"{FactoryTypeName} in {path} does not implement {typeof(IAdapterFactory).FullName} of the loaded engine ({typeof(IAdapterFactory).Assembly.Location}). The engine must exist only at the module root; rebuild or reinstall the module.", path);
    }
}
