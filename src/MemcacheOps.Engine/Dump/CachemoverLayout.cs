using System.Globalization;
using System.Text;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Netflix cachemover's on-disk layout (docs/cachemover-compat.md, docs/dump-format.md), to write
/// dumps its consumers read and to read dumps it wrote:
/// <code>
/// keyfile/key_&lt;ip&gt;_&lt;i&gt;                      listing lines
/// keyfile/ALL_KEYFILES_DUMPED             "&lt;N&gt; key files dumped.\nTotal keys: &lt;M&gt;\n"
/// datafiles_staging/data_&lt;ip&gt;__&lt;i&gt;_&lt;n&gt;     data files being written
/// datafiles_completed/data_&lt;ip&gt;__&lt;i&gt;_&lt;MD5&gt; finished data files (MD5 of the file, uppercase)
/// datafiles_completed/METRICS_CHECKPOINT  progress JSON
/// datafiles_completed/DONE                totals, written last: the dump is complete only when it exists
/// </code>
/// </summary>
public static class CachemoverLayout
{
    public const string KeyFileFolder = "keyfile";
    public const string StagingFolder = "datafiles_staging";
    public const string CompletedFolder = "datafiles_completed";
    public const string AllKeyFilesDumpedFileName = "ALL_KEYFILES_DUMPED";
    public const string MetricsCheckpointFileName = "METRICS_CHECKPOINT";
    public const string DoneFileName = "DONE";

    private const string DataFilePrefix = "data_";
    private const int Md5HexLength = 32;

    /// <summary>Creates keyfile/, datafiles_staging/ and datafiles_completed/ (mode 0700).</summary>
    public static void CreateDirectories(string outputDirectory)
    {
        PrivateFiles.CreateDirectory(Path.Combine(outputDirectory, KeyFileFolder));
        PrivateFiles.CreateDirectory(Path.Combine(outputDirectory, StagingFolder));
        PrivateFiles.CreateDirectory(Path.Combine(outputDirectory, CompletedFolder));
    }

    /// <summary><c>key_&lt;ip&gt;_&lt;i&gt;</c>; cachemover numbers key files from 0.</summary>
    public static string KeyFileName(string hostIp, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"key_{CheckHostIp(hostIp)}_{index}");

    /// <summary>Full path of key file <paramref name="index"/> (create it with <see cref="PrivateFiles.CreateNew"/>).</summary>
    public static string KeyFilePath(string outputDirectory, string hostIp, int index) =>
        Path.Combine(outputDirectory, KeyFileFolder, KeyFileName(hostIp, index));

    /// <summary><c>data_&lt;ip&gt;__&lt;keyFileIndex&gt;_&lt;MD5&gt;</c> (double underscore; MD5 as 32 uppercase hex digits).</summary>
    public static string DataFileName(string hostIp, int keyFileIndex, string md5) =>
        string.Create(CultureInfo.InvariantCulture, $"{DataFilePrefix}{CheckHostIp(hostIp)}__{keyFileIndex}_{md5.ToUpperInvariant()}");

    /// <summary>Staging name <c>data_&lt;ip&gt;__&lt;keyFileIndex&gt;_&lt;sequence&gt;</c>, sequence counting the files of one key file.</summary>
    public static string StagingDataFileName(string hostIp, int keyFileIndex, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{DataFilePrefix}{CheckHostIp(hostIp)}__{keyFileIndex}_{sequence}");

    /// <summary>
    /// Starts data file <paramref name="sequence"/> for key file <paramref name="keyFileIndex"/>:
    /// written in datafiles_staging, hashed with MD5 (and SHA-256), and on Complete renamed into
    /// datafiles_completed under its MD5 name. Flags are written with all 32 bits.
    /// </summary>
    public static DataFileWriter CreateDataFileWriter(string outputDirectory, string hostIp, int keyFileIndex, int sequence,
        int bufferSize = DataFileWriter.DefaultBufferSize, ChecksumAlgorithm checksum = ChecksumAlgorithm.Sha256)
    {
        CreateDirectories(outputDirectory);
        var staging = Path.Combine(outputDirectory, StagingFolder, StagingDataFileName(hostIp, keyFileIndex, sequence));
        return DataFileWriter.CreateNamedByMd5(staging, Path.Combine(outputDirectory, CompletedFolder),
            md5 => DataFileName(hostIp, keyFileIndex, md5), bufferSize, checksum);
    }

    /// <summary>Writes keyfile/ALL_KEYFILES_DUMPED once the listing has ended.</summary>
    public static void WriteAllKeyFilesDumped(string outputDirectory, int keyFileCount, long totalKeys) =>
        WriteText(outputDirectory, Path.Combine(outputDirectory, KeyFileFolder, AllKeyFilesDumpedFileName),
            string.Create(CultureInfo.InvariantCulture, $"{keyFileCount} key files dumped.\nTotal keys: {totalKeys}\n"));

    /// <summary>(Re)writes datafiles_completed/METRICS_CHECKPOINT, atomically.</summary>
    public static void WriteMetricsCheckpoint(string outputDirectory, DumpTotals totals, TimeSpan elapsed) =>
        WriteText(outputDirectory, Path.Combine(outputDirectory, CompletedFolder, MetricsCheckpointFileName),
            FormatMetricsCheckpoint(totals, elapsed));

    /// <summary>Writes datafiles_completed/DONE. Call it last, after every data file is completed.</summary>
    public static void WriteDone(string outputDirectory, DumpTotals totals, TimeSpan elapsed) =>
        WriteText(outputDirectory, Path.Combine(outputDirectory, CompletedFolder, DoneFileName), CachemoverDone.Format(totals, elapsed));

    /// <summary>METRICS_CHECKPOINT's JSON as cachemover pretty-prints it (4-space indent).</summary>
    public static string FormatMetricsCheckpoint(DumpTotals totals, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{{\n    \"keyvalue_metrics\": {{\n        \"total\": {totals.Listed},\n        \"dumped\": {totals.Dumped},\n" +
            $"        \"not_found\": {totals.Missing},\n        \"skipped\": {totals.Skipped},\n        \"filtered\": {totals.Filtered}\n    }},\n" +
            $"    \"time_elapsed\": \"{CachemoverDone.FormatElapsed(elapsed)}\"\n}}");

    /// <summary>
    /// Parses a finished data file name. The MD5 suffix is required; the host ip and key file index
    /// are returned when the name has the usual <c>&lt;ip&gt;__&lt;i&gt;</c> middle.
    /// </summary>
    public static bool TryParseDataFileName(string name, out string md5, out string? hostIp, out int? keyFileIndex)
    {
        md5 = string.Empty;
        hostIp = null;
        keyFileIndex = null;
        if (!name.StartsWith(DataFilePrefix, StringComparison.Ordinal) || name.Length < DataFilePrefix.Length + 1 + 1 + Md5HexLength)
            return false;
        var md5Start = name.Length - Md5HexLength;
        if (name[md5Start - 1] != '_')
            return false;
        foreach (var c in name.AsSpan(md5Start))
        {
            if (!char.IsAsciiHexDigit(c))
                return false;
        }
        md5 = name[md5Start..].ToUpperInvariant();
        var middle = name[DataFilePrefix.Length..(md5Start - 1)];
        var separator = middle.LastIndexOf("__", StringComparison.Ordinal);
        if (separator > 0 && int.TryParse(middle.AsSpan(separator + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            hostIp = middle[..separator];
            keyFileIndex = index;
        }
        return true;
    }

    /// <summary>
    /// Reads a cachemover dump from its output_dir or its datafiles_completed folder: the finished
    /// data files with their MD5s, and DONE when present. datafiles_staging is never read (its files
    /// are listed as ignored).
    /// </summary>
    public static CachemoverDump Read(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (!Directory.Exists(full))
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, DumpErrors.NotFoundId,
                $"The dump folder '{path}' does not exist. Check the path.", path);
        }
        string? outputDirectory;
        string completed;
        if (string.Equals(Path.GetFileName(full), CompletedFolder, StringComparison.Ordinal))
        {
            completed = full;
            var parent = Path.GetDirectoryName(full);
            outputDirectory = parent is not null && (Directory.Exists(Path.Combine(parent, KeyFileFolder)) || Directory.Exists(Path.Combine(parent, StagingFolder)))
                ? parent
                : null;
        }
        else if (Directory.Exists(Path.Combine(full, CompletedFolder)))
        {
            outputDirectory = full;
            completed = Path.Combine(full, CompletedFolder);
        }
        else if (HoldsCompletedFiles(full))
        {
            // A copy of datafiles_completed under another name.
            outputDirectory = null;
            completed = full;
        }
        else
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, DumpErrors.NotRecognizedId,
                $"'{path}' is not a cachemover dump: it has no {CompletedFolder} folder, no {DoneFileName} and no data_<ip>__<i>_<MD5> files. " +
                $"Point at cachemover's output_dir or at its {CompletedFolder} folder.",
                path);
        }

        var dataFiles = new List<CachemoverDataFile>();
        var ignored = new List<string>();
        CachemoverDone? done = null;
        string? doneProblem = $"{DoneFileName} is missing from '{completed}': the dump did not finish (or is still running).";
        try
        {
            foreach (var file in new DirectoryInfo(completed).EnumerateFiles())
            {
                if (file.Name == DoneFileName)
                {
                    done = CachemoverDone.Parse(File.ReadAllText(file.FullName, Encoding.UTF8));
                    doneProblem = done is null ? $"'{file.FullName}' is not in cachemover's DONE format, so the dump cannot be trusted as complete." : null;
                }
                else if (file.Name == MetricsCheckpointFileName)
                {
                    // Progress only; DONE carries the final totals.
                }
                else if (TryParseDataFileName(file.Name, out var md5, out var hostIp, out var keyFileIndex))
                {
                    dataFiles.Add(new CachemoverDataFile(file.Name, file.FullName, md5, hostIp, keyFileIndex, file.Length));
                }
                else
                {
                    ignored.Add(file.FullName);
                }
            }
            if (outputDirectory is not null && Directory.Exists(Path.Combine(outputDirectory, StagingFolder)))
            {
                foreach (var leftover in Directory.EnumerateFiles(Path.Combine(outputDirectory, StagingFolder)))
                    ignored.Add(leftover);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw DumpErrors.ReadFailed(completed, ex);
        }
        dataFiles.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        ignored.Sort(StringComparer.Ordinal);
        return new CachemoverDump(outputDirectory, completed, dataFiles, done, doneProblem, ignored);
    }

    /// <summary>True when <paramref name="directory"/> looks like a cachemover output_dir or its datafiles_completed folder.</summary>
    internal static bool LooksLikeDump(string directory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        return Directory.Exists(Path.Combine(full, CompletedFolder)) ||
               string.Equals(Path.GetFileName(full), CompletedFolder, StringComparison.Ordinal) ||
               HoldsCompletedFiles(full);
    }

    private static bool HoldsCompletedFiles(string directory)
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                var name = Path.GetFileName(file);
                if (name == DoneFileName || TryParseDataFileName(name, out _, out _, out _))
                    return true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw DumpErrors.ReadFailed(directory, ex);
        }
        return false;
    }

    private static void WriteText(string outputDirectory, string path, string text)
    {
        // Temporary files go to datafiles_staging so datafiles_completed only ever shows finished files.
        CreateDirectories(outputDirectory);
        PrivateFiles.WriteAtomically(path, Encoding.UTF8.GetBytes(text), Path.Combine(outputDirectory, StagingFolder));
    }

    private static string CheckHostIp(string hostIp)
    {
        if (string.IsNullOrEmpty(hostIp) || hostIp.Contains('/', StringComparison.Ordinal) || hostIp.Contains('\\', StringComparison.Ordinal))
            throw new ArgumentException($"'{hostIp}' cannot be part of a cachemover file name (it must be the dumping host's address).", nameof(hostIp));
        return hostIp;
    }
}
