using System.Globalization;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// The one entry point for importers: opens a native dump folder, a cachemover dump, or a single
/// data file, and lists the data files to import with what is known to verify them. An incomplete
/// dump is opened (its finished files are sound) and flagged: the caller decides whether to import it.
/// </summary>
public sealed class DumpSource
{
    private DumpSource(DumpKind kind, string path, bool isComplete, string? incompleteReason, IReadOnlyList<DumpDataFile> files,
        IReadOnlyList<string> ignoredFiles, DumpManifest? manifest, CachemoverDone? cachemoverDone, DumpTotals? totals)
    {
        Kind = kind;
        Path = path;
        IsComplete = isComplete;
        IncompleteReason = incompleteReason;
        Files = files;
        IgnoredFiles = ignoredFiles;
        Manifest = manifest;
        CachemoverDone = cachemoverDone;
        Totals = totals;
    }

    public DumpKind Kind { get; }

    /// <summary>Full path of the dump folder (cachemover: the folder opened) or of the single file.</summary>
    public string Path { get; }

    /// <summary>
    /// True when the dump says it finished: native manifest "complete", cachemover DONE present. A
    /// single file is complete unless it is a staging file.
    /// </summary>
    public bool IsComplete { get; }

    /// <summary>Why the dump is incomplete, in words for the user; null when complete.</summary>
    public string? IncompleteReason { get; }

    /// <summary>The data files to import, sorted by name.</summary>
    public IReadOnlyList<DumpDataFile> Files { get; }

    /// <summary>Files present but not part of the dump (staging leftovers, files the manifest does not list), full paths.</summary>
    public IReadOnlyList<string> IgnoredFiles { get; }

    /// <summary>The native manifest; null for other kinds.</summary>
    public DumpManifest? Manifest { get; }

    /// <summary>cachemover's DONE totals; null for other kinds or when DONE is missing.</summary>
    public CachemoverDone? CachemoverDone { get; }

    /// <summary>Totals the dump recorded (manifest, or DONE plus the data files' sizes); null when none.</summary>
    public DumpTotals? Totals { get; }

    /// <summary>True for cachemover dumps: cachemover keeps only the low 16 bits of each item's flags.</summary>
    public bool FlagsMayBeTruncated => Kind == DumpKind.Cachemover;

    /// <summary>
    /// Detects what <paramref name="path"/> is: a folder with manifest.json (native), a cachemover
    /// output_dir or datafiles_completed folder, or one data file. Errors: DumpNotFound,
    /// DumpNotRecognized, DumpManifestInvalid, DumpFileMissing.
    /// </summary>
    public static DumpSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        if (File.Exists(full))
        {
            return System.IO.Path.GetFileName(full) == NativeLayout.ManifestFileName
                ? OpenNative(System.IO.Path.GetDirectoryName(full)!)
                : OpenSingleFile(full);
        }
        if (!Directory.Exists(full))
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, DumpErrors.NotFoundId,
                $"'{path}' does not exist. Give the path of a dump folder or of a data file.", path);
        }
        if (File.Exists(NativeLayout.ManifestPath(full)))
            return OpenNative(full);
        if (CachemoverLayout.LooksLikeDump(full))
            return OpenCachemover(full);
        var hint = Directory.Exists(NativeLayout.DataDirectory(full)) || Directory.Exists(NativeLayout.KeysDirectory(full))
            ? $" It has a {NativeLayout.DataFolder}/ or {NativeLayout.KeysFolder}/ folder but no {NativeLayout.ManifestFileName}: an export that stopped before writing its manifest cannot be imported; export again."
            : string.Empty;
        throw new MemcacheException(MemcacheErrorKind.InvalidArgument, DumpErrors.NotRecognizedId,
            $"'{path}' is not a dump: it has no {NativeLayout.ManifestFileName} (MemcacheOps) and no {CachemoverLayout.CompletedFolder} folder, " +
            $"DONE or data_* files (cachemover).{hint} Give the dump folder, cachemover's output_dir, or a single data file.",
            path);
    }

    private static DumpSource OpenNative(string directory)
    {
        var manifest = ManifestStore.Read(directory);
        var dataDirectory = NativeLayout.DataDirectory(directory);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<DumpDataFile>(manifest.Files.Count);
        foreach (var entry in manifest.Files)
        {
            var fullPath = System.IO.Path.Combine(dataDirectory, entry.Name);
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                throw new MemcacheException(MemcacheErrorKind.InvalidData, DumpErrors.FileMissingId,
                    $"Data file '{fullPath}' is listed in the manifest but missing. Copy the whole dump folder again, or export again.",
                    fullPath);
            }
            listed.Add(entry.Name);
            files.Add(new DumpDataFile(fullPath, info.Length, entry.Records, entry.Bytes, manifest.ChecksumKind, entry.ChecksumFor(manifest.ChecksumKind), entry.KeyFile));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var ignored = new List<string>();
        try
        {
            if (Directory.Exists(dataDirectory))
            {
                foreach (var file in Directory.EnumerateFiles(dataDirectory))
                {
                    if (!listed.Contains(System.IO.Path.GetFileName(file)))
                        ignored.Add(file);
                }
            }
            var manifestTemp = NativeLayout.ManifestPath(directory) + ".tmp";
            if (File.Exists(manifestTemp))
                ignored.Add(manifestTemp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw DumpErrors.ReadFailed(dataDirectory, ex);
        }
        ignored.Sort(StringComparer.Ordinal);

        string? reason = null;
        if (!manifest.Complete)
        {
            var fetched = manifest.KeyFiles.Count(k => k.Fetched);
            reason = string.Create(CultureInfo.InvariantCulture,
                $"The manifest of '{directory}' says the dump is not complete: its export was interrupted or is still running " +
                $"(key listing {(manifest.ListingComplete ? "complete" : "incomplete")}, {fetched} of {manifest.KeyFiles.Count} key files fetched). " +
                $"Its {files.Count} finished data files are intact and can be imported, but keys are missing; resume or repeat the export to get them all.");
        }
        return new DumpSource(DumpKind.Native, directory, manifest.Complete, reason, files, ignored, manifest, null, manifest.Totals);
    }

    private static DumpSource OpenCachemover(string directory)
    {
        var dump = CachemoverLayout.Read(directory);
        var files = new List<DumpDataFile>(dump.DataFiles.Count);
        long bytes = 0;
        foreach (var file in dump.DataFiles)
        {
            files.Add(new DumpDataFile(file.FullPath, file.SizeOnDisk, null, null, ChecksumAlgorithm.Md5, file.Md5, null));
            bytes += file.SizeOnDisk;
        }
        DumpTotals? totals = null;
        if (dump.Done is not null)
        {
            totals = dump.Done.ToTotals();
            totals.Bytes = bytes;
        }
        var reason = dump.IsComplete
            ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"{dump.DoneProblem} Its {files.Count} finished data files are intact and can be imported, but keys from unfinished files are missing.");
        return new DumpSource(DumpKind.Cachemover, dump.CompletedDirectory, dump.IsComplete, reason, files, dump.IgnoredFiles, null, dump.Done, totals);
    }

    private static DumpSource OpenSingleFile(string fullPath)
    {
        var name = System.IO.Path.GetFileName(fullPath);
        var info = new FileInfo(fullPath);
        // A cachemover data file carries its own MD5 in its name, so it can be verified even alone.
        var file = CachemoverLayout.TryParseDataFileName(name, out var md5, out _, out _)
            ? new DumpDataFile(fullPath, info.Length, null, null, ChecksumAlgorithm.Md5, md5, null)
            : new DumpDataFile(fullPath, info.Length, null, null, ChecksumAlgorithm.None, null, null);
        var staging = name.EndsWith(NativeLayout.StagingSuffix, StringComparison.Ordinal) ||
                      string.Equals(System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(fullPath)), CachemoverLayout.StagingFolder, StringComparison.Ordinal);
        var reason = staging
            ? $"'{fullPath}' is a staging file: it was still being written when its export stopped, so it may end mid-record and its keys are incomplete."
            : null;
        return new DumpSource(DumpKind.SingleFile, fullPath, !staging, reason, [file], [], null, null, null);
    }
}
