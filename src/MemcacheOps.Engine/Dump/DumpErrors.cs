namespace MemcacheOps.Engine.Dump;

/// <summary>
/// The dump layer's user-facing errors, built in one place so ids stay stable and every message
/// says what failed, where, and what to do.
/// </summary>
internal static class DumpErrors
{
    public const string WriteFailedId = "DumpWriteFailed";
    public const string ReadFailedId = "DumpReadFailed";
    public const string FileCorruptId = "DumpFileCorrupt";
    public const string ChecksumMismatchId = "DumpChecksumMismatch";
    public const string ManifestMissingId = "DumpManifestMissing";
    public const string ManifestInvalidId = "DumpManifestInvalid";
    public const string NotFoundId = "DumpNotFound";
    public const string NotRecognizedId = "DumpNotRecognized";
    public const string FileMissingId = "DumpFileMissing";

    public static MemcacheException WriteFailed(string path, Exception inner) =>
        new(MemcacheErrorKind.WriteFailed, WriteFailedId,
            $"Could not write dump file '{path}': {inner.Message} Free space on that disk (or fix its permissions) " +
            "or choose another output directory, then run the export again. Files already completed are not affected.",
            path, inner);

    public static MemcacheException ReadFailed(string path, Exception inner) =>
        new(MemcacheErrorKind.ResourceUnavailable, ReadFailedId,
            $"Could not read dump file '{path}': {inner.Message} Check that the file exists and is readable by this user.",
            path, inner);

    public static MemcacheException Corrupt(string name, long offset, string problem) =>
        new(MemcacheErrorKind.InvalidData, FileCorruptId,
            $"Dump file '{name}' is damaged at byte offset {offset}: {problem}. The file was cut short or altered; " +
            "copy it again from its source or export again. Records before that offset were read intact.",
            name);

    public static MemcacheException ChecksumMismatch(string path, ChecksumAlgorithm algorithm, string actual, string expected) =>
        new(MemcacheErrorKind.InvalidData, ChecksumMismatchId,
            $"Dump file '{path}' is damaged: its {DumpChecksum.DisplayName(algorithm)} is {actual} but the dump records {expected}. " +
            "Do not import it; copy it again from its source or export again.",
            path);

    public static MemcacheException ManifestInvalid(string path, string problem) =>
        new(MemcacheErrorKind.InvalidData, ManifestInvalidId,
            $"The dump manifest '{path}' is not valid: {problem}",
            path);
}
