using System.IO.Compression;
using System.Xml.Linq;
using MemcacheOps.ModuleBuilder.Layout;
using MemcacheOps.ModuleBuilder.Packaging;

namespace MemcacheOps.Tests.Module;

/// <summary>The .nupkg a local PowerShell repository serves: module files at the package root, manifest metadata in the nuspec.</summary>
[Collection(ModuleCollection.Name)]
public sealed class PackageTests(ModuleFixture module)
{
    [Fact]
    public void Package_HoldsTheModuleAtItsRoot_WithPowerShellTags()
    {
        var output = Path.Combine(Path.GetTempPath(), "memcacheops-pack-" + Guid.NewGuid().ToString("N"));
        try
        {
            var package = ModulePackager.Pack(module.LayoutDirectory, output);
            Assert.Equal($"MemcacheOps.{module.RootManifest.Version}.nupkg", Path.GetFileName(package));
            using var zip = ZipFile.OpenRead(package);
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            foreach (var file in ModuleLayout.ExpectedRootFiles)
                Assert.Contains(file.Replace('\\', '/'), entries);
            Assert.Contains("[Content_Types].xml", entries);
            Assert.Contains("_rels/.rels", entries);
            Assert.DoesNotContain(entries, e => e.EndsWith("System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase));

            XNamespace ns = "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd";
            using var stream = zip.GetEntry("MemcacheOps.nuspec")!.Open();
            var metadata = XDocument.Load(stream).Root!.Element(ns + "metadata")!;
            Assert.Equal("MemcacheOps", metadata.Element(ns + "id")!.Value);
            Assert.Equal(module.RootManifest.Version, metadata.Element(ns + "version")!.Value);
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
            var tags = metadata.Element(ns + "tags")!.Value.Split(' ');
            Assert.Contains("PSModule", tags);
            Assert.Contains("PSEdition_Core", tags);
            foreach (var cmdlet in module.RootManifest.CmdletsToExport)
            {
                Assert.Contains("PSCmdlet_" + cmdlet, tags);
                Assert.Contains("PSCommand_" + cmdlet, tags);
            }
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }
}
