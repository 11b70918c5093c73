using System.Text.Json;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Reads and writes <c>manifest.json</c>. Writes are atomic (temporary file, flush to disk, rename),
/// so a reader always sees a whole manifest, old or new. One writer per dump.
/// </summary>
public static class ManifestStore
{
    /// <summary>Writes the manifest (mode 0600), creating the dump folder (0700) if needed.</summary>
    public static void Write(string directory, DumpManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var problem = Validate(manifest);
        if (problem is not null)
            throw new ArgumentException($"The manifest is not valid: {problem}", nameof(manifest));
        PrivateFiles.CreateDirectory(directory);
        PrivateFiles.WriteAtomically(NativeLayout.ManifestPath(directory), ManifestJson.Serialize(manifest));
    }

    /// <summary>
    /// Reads and checks the manifest. DumpManifestMissing when there is none; DumpManifestInvalid
    /// when it is not JSON, not a MemcacheOps manifest, from a newer format version, or inconsistent.
    /// </summary>
    public static DumpManifest Read(string directory)
    {
        var path = NativeLayout.ManifestPath(directory);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, DumpErrors.ManifestMissingId,
                $"'{directory}' has no {NativeLayout.ManifestFileName}, so it is not a MemcacheOps dump (or its export never started). " +
                "Point at the dump folder itself; for a cachemover dump point at its output_dir.",
                path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw DumpErrors.ReadFailed(path, ex);
        }

        DumpManifest manifest;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            CheckFormatAndVersion(path, document.RootElement);
            manifest = ManifestJson.Deserialize(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw DumpErrors.ManifestInvalid(path, $"it is not valid JSON ({ex.Message}). The file was damaged or edited; restore it or export again.");
        }
        catch (ManifestFieldException ex)
        {
            throw DumpErrors.ManifestInvalid(path, $"{ex.Message} The file was damaged or edited; restore it or export again.");
        }
        var problem = Validate(manifest);
        if (problem is not null)
            throw DumpErrors.ManifestInvalid(path, problem + " The file was damaged or edited; restore it or export again.");
        return manifest;
    }

    // Format and version first: a newer version may change shapes, and "upgrade" is a better answer than a type error.
    private static void CheckFormatAndVersion(string path, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw DumpErrors.ManifestInvalid(path, "it is not a JSON object. Restore it or export again.");
        if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String ||
            format.GetString() != DumpManifest.FormatName)
        {
            throw DumpErrors.ManifestInvalid(path,
                $"its \"format\" is not \"{DumpManifest.FormatName}\", so it was not written by MemcacheOps. Point at a MemcacheOps dump folder.");
        }
        if (!root.TryGetProperty("formatVersion", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number))
            throw DumpErrors.ManifestInvalid(path, "it has no numeric \"formatVersion\". Restore it or export again.");
        if (number > DumpManifest.CurrentFormatVersion)
        {
            throw DumpErrors.ManifestInvalid(path,
                $"it uses format version {number}, newer than this MemcacheOps reads ({DumpManifest.CurrentFormatVersion}). Upgrade MemcacheOps to read it.");
        }
        if (number < 1)
            throw DumpErrors.ManifestInvalid(path, $"format version {number} does not exist. Restore the manifest or export again.");
    }

    /// <summary>Returns what is wrong with the manifest, or null when it is consistent.</summary>
    internal static string? Validate(DumpManifest manifest)
    {
        if (manifest.Format != DumpManifest.FormatName)
            return $"format must be \"{DumpManifest.FormatName}\".";
        if (manifest.FormatVersion != DumpManifest.CurrentFormatVersion)
            return $"formatVersion must be {DumpManifest.CurrentFormatVersion}.";
        if (manifest.RecordFormat != V0Record.FormatName)
            return $"recordFormat \"{manifest.RecordFormat}\" is unknown (expected \"{V0Record.FormatName}\").";
        var algorithm = manifest.ChecksumKind;
        if (algorithm == ChecksumAlgorithm.None)
            return $"checksumAlgorithm \"{manifest.ChecksumAlgorithm}\" is unknown (expected \"{DumpManifest.Crc32CAlgorithm}\" or \"{DumpManifest.Sha256Algorithm}\").";
        if (manifest.Sources is null || manifest.Settings is null || manifest.KeyFiles is null || manifest.Files is null || manifest.Totals is null)
            return "sources, settings, keyFiles, files and totals must be present (use empty lists or objects).";
        if (manifest.Complete && manifest.CompletedUtc is null)
            return "a complete dump must have completedUtc.";

        var keyFiles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var keyFile in manifest.KeyFiles)
        {
            if (keyFile is null || !NativeLayout.IsSafeFileName(keyFile.Name))
                return $"key file name '{keyFile?.Name}' is not a plain file name.";
            if (!keyFiles.Add(keyFile.Name))
                return $"key file '{keyFile.Name}' is listed twice.";
            if (keyFile.Lines < 0)
                return $"key file '{keyFile.Name}' has a negative line count.";
        }

        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (file is null || !NativeLayout.IsSafeFileName(file.Name))
                return $"data file name '{file?.Name}' is not a plain file name.";
            if (!files.Add(file.Name))
                return $"data file '{file.Name}' is listed twice.";
            if (file.Records < 0 || file.Bytes < 0)
                return $"data file '{file.Name}' has a negative record or byte count.";
            if (!DumpChecksum.IsWellFormed(file.ChecksumFor(algorithm), algorithm))
                return algorithm == ChecksumAlgorithm.Crc32C
                    ? $"data file '{file.Name}' has no valid crc32c (8 hex digits)."
                    : $"data file '{file.Name}' has no valid sha256 (64 hex digits).";
            if (file.KeyFile is not null && !keyFiles.Contains(file.KeyFile))
                return $"data file '{file.Name}' refers to key file '{file.KeyFile}', which is not listed.";
        }
        return null;
    }
}
