using System.Reflection;
using MemcacheOps.ModuleBuilder.Manifest;

namespace MemcacheOps.Tests.Module;

/// <summary>MemcacheOps.psd1 is the single source of the version and exports, and matches the compiled cmdlets.</summary>
[Collection(ModuleCollection.Name)]
public sealed class ManifestTests(ModuleFixture module)
{
    [Fact]
    public void CmdletsToExport_EqualsTheCompiledCmdlets()
    {
        var compiled = module.Cmdlets.Select(c => c.Name).Order(StringComparer.OrdinalIgnoreCase).ToList();
        var exported = module.RootManifest.CmdletsToExport.Order(StringComparer.OrdinalIgnoreCase).ToList();
        Assert.NotEmpty(compiled);
        Assert.Equal(compiled, exported);
    }

    [Fact]
    public void AliasesToExport_EqualsTheCompiledAliasAttributes()
    {
        var compiled = module.Cmdlets.SelectMany(c => c.Aliases).Order(StringComparer.OrdinalIgnoreCase).ToList();
        var exported = module.RootManifest.AliasesToExport.Order(StringComparer.OrdinalIgnoreCase).ToList();
        Assert.Equal(compiled, exported);
    }

    [Fact]
    public void Exports_AreExplicit_WithoutWildcards()
    {
        var manifest = module.RootManifest;
        foreach (var name in manifest.CmdletsToExport.Concat(manifest.AliasesToExport).Concat(manifest.FunctionsToExport).Concat(manifest.VariablesToExport))
            Assert.DoesNotContain('*', name);
        // Empty arrays (not absent) so PowerShell does not fall back to exporting everything.
        foreach (var key in new[] { "CmdletsToExport", "AliasesToExport", "FunctionsToExport", "VariablesToExport" })
            Assert.True(manifest.Data.ContainsKey(key), $"{key} must be present");
    }

    [Fact]
    public void Manifest_DeclaresPowerShell74Core_AndGalleryMetadata()
    {
        var data = module.RootManifest.Data;
        Assert.Equal("7.6", Psd1Reader.String(data, "PowerShellVersion"));
        Assert.Equal(["Core"], Psd1Reader.Strings(data, "CompatiblePSEditions"));
        Assert.True(Guid.TryParse(Psd1Reader.String(data, "GUID"), out _));
        Assert.False(string.IsNullOrWhiteSpace(Psd1Reader.String(data, "Description")));
        Assert.False(string.IsNullOrWhiteSpace(Psd1Reader.String(data, "Author")));
        var psData = module.RootManifest.PSData;
        Assert.NotEmpty(Psd1Reader.Strings(psData, "Tags"));
        Assert.All(Psd1Reader.Strings(psData, "Tags"), t => Assert.DoesNotContain(' ', t));
        foreach (var key in new[] { "ProjectUri", "LicenseUri" })
            Assert.True(Uri.TryCreate(Psd1Reader.String(psData, key), UriKind.Absolute, out _), $"{key} must be an absolute URI");
        Assert.False(string.IsNullOrWhiteSpace(Psd1Reader.String(psData, "ReleaseNotes")));
        Assert.Equal(["MemcacheOps.Format.ps1xml"], module.LayoutManifest.FormatsToProcess);
    }

    [Fact]
    public void RootManifest_PointsIntoTheBuiltLayout_AndEveryFileExists()
    {
        var paths = module.RootManifest.FilePaths.ToList();
        Assert.NotEmpty(paths);
        foreach (var path in paths)
        {
            Assert.StartsWith(ModuleManifest.LayoutPrefix, path, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(module.RepositoryRoot, path)), $"{path} does not exist after the build");
        }
        Assert.Contains(ModuleManifest.LayoutPrefix + "MemcacheOps.Cmdlets.dll", module.RootManifest.NestedModules);
    }

    [Fact]
    public void LayoutManifest_IsTheRootManifestWithLocalPaths()
    {
        var expected = ModuleManifest.ForModuleFolder(File.ReadAllText(module.RootManifest.Path));
        Assert.Equal(expected, File.ReadAllText(module.LayoutManifest.Path));
        Assert.All(module.LayoutManifest.FilePaths, p => Assert.True(File.Exists(Path.Combine(module.LayoutDirectory, p)), p));
        Assert.Equal(module.RootManifest.CmdletsToExport, module.LayoutManifest.CmdletsToExport);
    }

    [Fact]
    public void ModuleVersion_IsStampedIntoEveryAssembly()
    {
        var version = Version.Parse(module.RootManifest.Version);
        var expected = new Version(version.Major, version.Minor, Math.Max(version.Build, 0), 0);
        foreach (var dll in Directory.GetFiles(module.LayoutDirectory, "MemcacheOps.*.dll", SearchOption.AllDirectories))
            Assert.Equal(expected, AssemblyName.GetAssemblyName(dll).Version);
        Assert.Equal(expected, typeof(Engine.MemcacheException).Assembly.GetName().Version);
    }

    [Fact]
    public void ReleaseCopy_RemovesOnlyQuotedLayoutPrefixes()
    {
        var text = "@{ NestedModules = @('" + ModuleManifest.LayoutPrefix + "A.dll') }";
        var copy = ModuleManifest.ForModuleFolder(text);
        Assert.EndsWith("@{ NestedModules = @('A.dll') }", copy, StringComparison.Ordinal);
        Assert.StartsWith("#", copy, StringComparison.Ordinal);
    }
}
