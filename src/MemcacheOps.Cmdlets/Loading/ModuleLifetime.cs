using System.Management.Automation;

namespace MemcacheOps.Cmdlets.Loading;

/// <summary>
/// PowerShell calls OnImport when the module's assembly is imported and OnRemove when the module is removed:
/// they attach and detach the adapters' private load context.
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => AdapterHost.Attach(AdapterHost.ModuleDirectory);

    public void OnRemove(PSModuleInfo psModuleInfo) => AdapterHost.Detach();
}
