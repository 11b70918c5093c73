using System.IO.Compression;
using System.Security;
using System.Text;
using MemcacheOps.ModuleBuilder.Layout;
using MemcacheOps.ModuleBuilder.Manifest;

namespace MemcacheOps.ModuleBuilder.Packaging;

/// <summary>
/// Packs the module folder as a NuGet package the way PowerShell repositories expect (the module files at
/// the package root, a nuspec carrying the manifest's metadata and PSModule/PSCmdlet_* tags), so
/// <c>Install-PSResource MemcacheOps -Repository &lt;local folder repository&gt;</c> installs it.
/// </summary>
public static class ModulePackager
{
    private static readonly DateTimeOffset Timestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Pack(string moduleDirectory, string outputDirectory)
    {
        var manifest = ModuleManifest.Load(Path.Combine(moduleDirectory, ModuleLayout.ManifestFile));
        Directory.CreateDirectory(outputDirectory);
        var package = Path.Combine(outputDirectory, $"{ModuleLayout.ModuleName}.{manifest.Version}.nupkg");
        if (File.Exists(package))
            File.Delete(package);
        var files = Directory.GetFiles(moduleDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(moduleDirectory, f).Replace('\\', '/'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
        using (var zip = ZipFile.Open(package, ZipArchiveMode.Create))
        {
            Add(zip, ModuleLayout.ModuleName + ".nuspec", Nuspec(manifest));
            Add(zip, "[Content_Types].xml", ContentTypes(files));
            Add(zip, "_rels/.rels", Relationships());
            foreach (var file in files)
            {
                var entry = zip.CreateEntry(file, CompressionLevel.Optimal);
                entry.LastWriteTime = Timestamp;
                using var target = entry.Open();
                using var source = File.OpenRead(Path.Combine(moduleDirectory, file));
                source.CopyTo(target);
            }
        }
        return package;
    }

    public static string Nuspec(ModuleManifest manifest)
    {
        var psData = manifest.PSData;
        var tags = new List<string> { "PSModule", "PSIncludes_Cmdlet" };
        tags.AddRange(Psd1Reader.Strings(manifest.Data, "CompatiblePSEditions").Select(e => "PSEdition_" + e));
        tags.AddRange(manifest.CmdletsToExport.SelectMany(c => new[] { "PSCmdlet_" + c, "PSCommand_" + c }));
        tags.AddRange(Psd1Reader.Strings(psData, "Tags"));
        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        sb.Append("<package xmlns=\"http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd\">\n  <metadata>\n");
        Element(sb, "id", ModuleLayout.ModuleName);
        Element(sb, "version", manifest.Version);
        Element(sb, "authors", Psd1Reader.String(manifest.Data, "Author") ?? ModuleLayout.ModuleName);
        Element(sb, "owners", Psd1Reader.String(manifest.Data, "CompanyName") ?? ModuleLayout.ModuleName);
        Element(sb, "requireLicenseAcceptance", "false");
        Element(sb, "licenseUrl", Psd1Reader.String(psData, "LicenseUri"));
        Element(sb, "projectUrl", Psd1Reader.String(psData, "ProjectUri"));
        Element(sb, "description", Psd1Reader.String(manifest.Data, "Description"));
        Element(sb, "releaseNotes", Psd1Reader.String(psData, "ReleaseNotes"));
        Element(sb, "copyright", Psd1Reader.String(manifest.Data, "Copyright"));
        Element(sb, "tags", string.Join(' ', tags.Distinct(StringComparer.OrdinalIgnoreCase)));
        sb.Append("  </metadata>\n</package>\n");
        return sb.ToString();
    }

    private static void Element(StringBuilder sb, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
            sb.Append("    <").Append(name).Append('>').Append(SecurityElement.Escape(value)).Append("</").Append(name).Append(">\n");
    }

    private static string ContentTypes(IEnumerable<string> files)
    {
        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\n");
        sb.Append("  <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\" />\n");
        sb.Append("  <Default Extension=\"nuspec\" ContentType=\"application/octet\" />\n");
        foreach (var extension in files.Select(f => Path.GetExtension(f).TrimStart('.')).Where(e => e.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
        {
            if (extension is not ("rels" or "nuspec"))
                sb.Append("  <Default Extension=\"").Append(SecurityElement.Escape(extension)).Append("\" ContentType=\"application/octet\" />\n");
        }
        return sb.Append("</Types>\n").ToString();
    }

    private static string Relationships()
        => "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\n"
           + $"  <Relationship Type=\"http://schemas.microsoft.com/packaging/2010/07/manifest\" Target=\"/{ModuleLayout.ModuleName}.nuspec\" Id=\"R0\" />\n"
           + "</Relationships>\n";

    private static void Add(ZipArchive zip, string name, string text)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = Timestamp;
        using var stream = entry.Open();
        stream.Write(new UTF8Encoding(false).GetBytes(text));
    }
}
