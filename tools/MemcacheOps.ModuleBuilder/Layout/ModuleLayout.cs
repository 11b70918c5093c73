namespace MemcacheOps.ModuleBuilder.Layout;

/// <summary>Names of the module folder's fixed parts.</summary>
public static class ModuleLayout
{
    public const string ModuleName = "MemcacheOps";
    public const string ManifestFile = "MemcacheOps.psd1";
    public const string CmdletsAssembly = "MemcacheOps.Cmdlets";
    public const string EngineAssembly = "MemcacheOps.Engine";
    public const string AdaptersAssembly = "MemcacheOps.Adapters";
    public const string FormatFile = "MemcacheOps.Format.ps1xml";
    public const string Culture = "en-US";

    /// <summary>PowerShell looks for the help of compiled cmdlets under exactly this name (case matters on Linux).</summary>
    public const string CmdletHelpFile = CmdletsAssembly + ".dll-Help.xml";

    public const string AboutHelpFile = "about_MemcacheOps.help.txt";
    public const string DependenciesFolder = "dependencies";

    /// <summary>
    /// Assemblies the adapters use but that stay shared with the cmdlets (loaded once, in the default
    /// context): the engine, whose interfaces the adapter objects implement. They ship at the root only.
    /// AdaptersLoadContext in the cmdlets assembly keeps the same list.
    /// </summary>
    public static readonly IReadOnlyList<string> SharedAssemblies = [EngineAssembly];

    /// <summary>
    /// The adapters and the third-party assemblies they are built on. They ship in dependencies/ only, for the
    /// adapters' private load context: at the root PowerShell would load them into the shared context, where
    /// they clash with other modules' copies (AWS.Tools' AWSSDK.*, other modules' YamlDotNet).
    /// </summary>
    public static readonly IReadOnlyList<string> PrivateAssemblies = [AdaptersAssembly, "YamlDotNet", "AWSSDK.Core", "AWSSDK.S3", "AWSSDK.SQS"];

    /// <summary>Assemblies PowerShell itself provides; a copy in the module would be a reference stub or a clash.</summary>
    public static bool IsPowerShellAssembly(string assemblyName)
        => assemblyName.Equals("System.Management.Automation", StringComparison.OrdinalIgnoreCase)
           || assemblyName.StartsWith("Microsoft.PowerShell.", StringComparison.OrdinalIgnoreCase)
           || assemblyName.Equals("Microsoft.Management.Infrastructure", StringComparison.OrdinalIgnoreCase)
           || assemblyName.Equals("PowerShellStandard.Library", StringComparison.OrdinalIgnoreCase);

    /// <summary>Files at the module root that must exist (relative paths).</summary>
    public static IReadOnlyList<string> ExpectedRootFiles { get; } =
    [
        ManifestFile,
        CmdletsAssembly + ".dll",
        EngineAssembly + ".dll",
        FormatFile,
        Path.Combine(Culture, CmdletHelpFile),
        Path.Combine(Culture, AboutHelpFile),
        .. PrivateAssemblies.Select(name => Path.Combine(DependenciesFolder, name + ".dll")),
    ];
}
