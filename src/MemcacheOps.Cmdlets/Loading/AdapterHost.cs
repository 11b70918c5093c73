using MemcacheOps.Engine.Adapters;

namespace MemcacheOps.Cmdlets.Loading;

/// <summary>
/// How cmdlets reach the adapters: <c>AdapterHost.Factory</c>. The module's import attaches the loader for
/// the folder the cmdlets assembly was loaded from and its removal detaches it (<see cref="ModuleLifetime"/>);
/// without an import (tests, hosts that load the assembly directly) the loader is created on first use.
/// </summary>
internal static class AdapterHost
{
    private static readonly object Gate = new();
    private static AdapterLoader? _loader;

    /// <summary>The folder of MemcacheOps.Cmdlets.dll, which is the module folder.</summary>
    public static string ModuleDirectory => Path.GetDirectoryName(typeof(AdapterHost).Assembly.Location) ?? AppContext.BaseDirectory;

    /// <summary>The adapters' factory for this session, created in the private load context on first use.</summary>
    public static IAdapterFactory Factory => Loader.Factory;

    public static AdapterLoader Loader
    {
        get
        {
            lock (Gate)
                return _loader ??= AdapterLoader.ForModule(ModuleDirectory);
        }
    }

    /// <summary>Creates the load context for <paramref name="moduleDirectory"/> (Import-Module).</summary>
    public static void Attach(string moduleDirectory)
    {
        lock (Gate)
        {
            if (_loader is null || !string.Equals(_loader.ModuleDirectory, Path.GetFullPath(moduleDirectory), StringComparison.Ordinal))
                _loader = AdapterLoader.ForModule(moduleDirectory);
        }
    }

    /// <summary>
    /// Forgets the loader (Remove-Module). The context is not collectible (the AWS SDK and YamlDotNet are not
    /// written for unloading), so its assemblies stay in memory until the process ends, like any module's;
    /// a later import creates a fresh context.
    /// </summary>
    public static void Detach()
    {
        lock (Gate)
            _loader = null;
    }
}
