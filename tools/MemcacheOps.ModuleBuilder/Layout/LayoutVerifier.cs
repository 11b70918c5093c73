using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using MemcacheOps.ModuleBuilder.Manifest;

namespace MemcacheOps.ModuleBuilder.Layout;

/// <summary>
/// Checks a finished module folder: every expected file is there; no PowerShell assembly or reference/stub
/// assembly anywhere (PowerShellStandard.Library throws from every member at run time); no DLL both at the
/// root and under dependencies/; the adapters and their packages (AWSSDK.*, YamlDotNet) never at the root;
/// every path the manifest names exists.
/// </summary>
public static class LayoutVerifier
{
    public static IReadOnlyList<string> Verify(string moduleDirectory, IEnumerable<string> expectedFiles)
    {
        var problems = new List<string>();
        if (!Directory.Exists(moduleDirectory))
            return [$"The module folder {moduleDirectory} does not exist."];

        foreach (var expected in ModuleLayout.ExpectedRootFiles.Concat(expectedFiles).Distinct(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(moduleDirectory, expected)))
                problems.Add($"Expected file {expected} is missing from the module folder {moduleDirectory}.");
        }

        var dependencies = Path.Combine(moduleDirectory, ModuleLayout.DependenciesFolder);
        var rootDlls = Directory.GetFiles(moduleDirectory, "*.dll", SearchOption.TopDirectoryOnly);
        var dependencyDlls = Directory.Exists(dependencies) ? Directory.GetFiles(dependencies, "*.dll", SearchOption.AllDirectories) : [];
        foreach (var dll in rootDlls.Concat(dependencyDlls))
        {
            var name = Path.GetFileNameWithoutExtension(dll);
            if (ModuleLayout.IsPowerShellAssembly(name))
                problems.Add($"{Relative(moduleDirectory, dll)} must not ship: PowerShell provides it (the build references a compile-only stub; mark the package PrivateAssets=\"all\" ExcludeAssets=\"runtime\").");
            else if (IsReferenceAssembly(dll))
                problems.Add($"{Relative(moduleDirectory, dll)} is a reference assembly (no code): ship the implementation assembly instead.");
        }
        foreach (var dll in rootDlls)
        {
            var name = Path.GetFileNameWithoutExtension(dll);
            if (ModuleLayout.PrivateAssemblies.Contains(name, StringComparer.OrdinalIgnoreCase))
                problems.Add($"{Path.GetFileName(dll)} is at the module root: it ships only in {ModuleLayout.DependenciesFolder}/, where the adapters' private load context keeps it apart from other modules' copies.");
        }

        var rootNames = rootDlls.Select(Path.GetFileName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var dll in dependencyDlls)
        {
            if (rootNames.Contains(Path.GetFileName(dll)))
                problems.Add($"{Path.GetFileName(dll)} is both at the module root and in {Relative(moduleDirectory, dll)}: each assembly is either shared (root) or private to the adapters (dependencies/), never both.");
        }

        var manifestPath = Path.Combine(moduleDirectory, ModuleLayout.ManifestFile);
        if (File.Exists(manifestPath))
        {
            try
            {
                var manifest = ModuleManifest.Load(manifestPath);
                foreach (var file in manifest.FilePaths)
                {
                    if (!File.Exists(Path.Combine(moduleDirectory, file)))
                        problems.Add($"The module manifest names {file}, which is not in the module folder.");
                }
            }
            catch (FormatException ex)
            {
                problems.Add($"The module manifest cannot be read: {ex.Message}");
            }
        }
        return problems;
    }

    /// <summary>True for assemblies marked [ReferenceAssembly] (compile-only: metadata without code).</summary>
    public static bool IsReferenceAssembly(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
            return false;
        var reader = pe.GetMetadataReader();
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            // The attribute type is referenced from another assembly, or defined here (System.Runtime defines it itself).
            var (name, ns) = attribute.Constructor.Kind switch
            {
                HandleKind.MemberReference when reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent is { Kind: HandleKind.TypeReference } parent
                    => (reader.GetTypeReference((TypeReferenceHandle)parent).Name, reader.GetTypeReference((TypeReferenceHandle)parent).Namespace),
                HandleKind.MethodDefinition
                    => (reader.GetTypeDefinition(reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType()).Name,
                        reader.GetTypeDefinition(reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType()).Namespace),
                _ => (default(StringHandle), default(StringHandle)),
            };
            if (!name.IsNil && reader.GetString(name) == "ReferenceAssemblyAttribute" && reader.GetString(ns) == "System.Runtime.CompilerServices")
                return true;
        }
        return false;
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
