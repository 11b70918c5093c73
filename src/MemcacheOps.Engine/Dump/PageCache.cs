using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Drops a file's pages from the page cache (Linux <c>posix_fadvise(POSIX_FADV_DONTNEED)</c>), so that
/// reading or writing a dump of any size uses a bounded amount of the host's memory. Elsewhere, or where
/// the call fails, nothing happens: it is advice.
/// </summary>
internal static class PageCache
{
    /// <summary>Ranges are aligned to this: the kernel keeps a page-cache folio (up to 2 MiB) that a range covers only in part.</summary>
    internal const long FolioAlignment = 2L * 1024 * 1024;

    private const int PosixFadviseDontNeed = 4;

    private static bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>Drops [offset, offset + length) (length 0: to the end of the file). Dirty pages are not dropped.</summary>
    public static void Drop(SafeFileHandle file, long offset, long length)
    {
        if (Volatile.Read(ref s_unavailable))
            return;
        try
        {
            _ = NativeMethods.posix_fadvise((int)file.DangerousGetHandle(), offset, length, PosixFadviseDontNeed);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref s_unavailable, true);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int posix_fadvise(int fd, long offset, long len, int advice);
    }
}
