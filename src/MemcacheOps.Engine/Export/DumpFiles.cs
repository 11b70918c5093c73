namespace MemcacheOps.Engine.Export;

/// <summary>File-system rules for dumps: private permissions and clear write errors.</summary>
public static class DumpFiles
{
    /// <summary>Owner-only, because caches hold sessions and personal data.</summary>
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static void CreatePrivateDirectory(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(path);
            else
                Directory.CreateDirectory(path, PrivateDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemcacheException(MemcacheErrorKind.WriteFailed, "DumpPathNotWritable",
                $"Cannot create the dump folder '{path}': {ex.Message}. Choose a folder you can write to.", path, ex);
        }
    }

    public static FileStream CreatePrivateFile(string path, int bufferSize)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            BufferSize = bufferSize,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = PrivateFile;
        try
        {
            return new FileStream(path, options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemcacheException(MemcacheErrorKind.WriteFailed, "DumpPathNotWritable",
                $"Cannot create '{path}': {ex.Message}. Choose a folder you can write to.", path, ex);
        }
    }

    public static MemcacheException WriteFailed(string path, Exception inner)
        => new(MemcacheErrorKind.WriteFailed, "DumpWriteFailed",
            $"Writing '{path}' failed: {inner.Message}. If the disk is full, free space or choose another folder, then run again with -Resume; files already completed are kept.",
            path, inner);
}
