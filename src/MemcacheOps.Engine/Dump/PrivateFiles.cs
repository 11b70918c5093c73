namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Creates dump files and folders readable by their owner only (0600 / 0700 on Unix): caches hold
/// personal data, and a dump must not widen who can read it. On Windows the folder's inherited ACL
/// applies. Modes are applied at creation (never chmod'ed afterwards), so the umask can only narrow them.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the folder and any missing parents with mode 0700; existing folders are left as they are.</summary>
    public static void CreateDirectory(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
                return;
            }
            // Directory.CreateDirectory(path, mode) gives the mode to the last folder only; missing
            // parents would get the default (often 0755), so each missing level is created here.
            var missing = new Stack<string>();
            for (var dir = Path.GetFullPath(path); !string.IsNullOrEmpty(dir) && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
                missing.Push(dir);
            while (missing.Count > 0)
                Directory.CreateDirectory(missing.Pop(), DirectoryMode);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemcacheException(MemcacheErrorKind.WriteFailed, DumpErrors.WriteFailedId,
                $"Could not create the dump folder '{path}': {ex.Message} Check the path and its permissions, or choose another output directory.",
                path, ex);
        }
    }

    /// <summary>
    /// Creates a new, empty file with mode 0600 for writing without FileStream buffering (callers
    /// write whole buffers). A leftover file of that name is deleted first, so its old mode never
    /// carries over. I/O failures surface as <see cref="IOException"/>/<see cref="UnauthorizedAccessException"/>.
    /// </summary>
    public static FileStream CreateNew(string path)
    {
        File.Delete(path);
        var options = new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = FileMode;
        return new FileStream(path, options);
    }

    /// <summary>
    /// Replaces <paramref name="path"/> atomically: writes a temporary file (in
    /// <paramref name="tempDirectory"/>, default the same folder; it must be on the same file
    /// system), flushes it to disk, then renames it over the target. Readers see the old content or
    /// the new, never a mix. Failures raise DumpWriteFailed and leave the old file untouched.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content, string? tempDirectory = null)
    {
        var temp = Path.Combine(tempDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path) + ".tmp");
        try
        {
            using (var stream = CreateNew(temp))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw DumpErrors.WriteFailed(path, ex);
        }
    }

    /// <summary>Deletes a file if it can; used on failure paths where the first error is what matters.</summary>
    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The original failure is the one to report; a stale staging file is ignored by readers.
        }
    }
}
