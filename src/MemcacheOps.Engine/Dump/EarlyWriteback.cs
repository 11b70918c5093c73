using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Starts the disk write of a data file's pages as soon as a few MiB are written, instead of leaving
/// them all dirty in the page cache until the file's fsync. A dump writes hundreds of MiB faster than
/// the kernel's background writeback starts (it waits for seconds or a share of RAM), so without this
/// the fsync that completes each file writes all of it at once, and the last one adds that whole write
/// to the export's end. Linux only (<c>sync_file_range</c> with SYNC_FILE_RANGE_WRITE: it does not wait
/// for the write and gives no durability; the fsync still does). Failures are ignored: it is a hint.
/// </summary>
internal sealed class EarlyWriteback(SafeFileHandle file)
{
    /// <summary>How much is written between two hints: large enough that the calls cost nothing.</summary>
    private const long Interval = 8L * 1024 * 1024;

    private const uint SyncFileRangeWrite = 2;

    private static bool s_unavailable = !OperatingSystem.IsLinux();

    private long _written;
    private long _started;

    /// <summary>Records <paramref name="bytes"/> more written at the end of the file; hints when an interval is full.</summary>
    public void Written(int bytes)
    {
        _written += bytes;
        if (_written - _started < Interval || Volatile.Read(ref s_unavailable))
            return;
        try
        {
            // The result is not checked: a file system without it answers EINVAL, and the fsync still does the work.
            _ = NativeMethods.sync_file_range((int)file.DangerousGetHandle(), _started, _written - _started, SyncFileRangeWrite);
            _started = _written;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref s_unavailable, true);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
    }
}
