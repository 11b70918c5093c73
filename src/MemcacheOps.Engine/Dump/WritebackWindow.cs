using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Keeps a data file's footprint in the page cache to a small window behind the writer. Every few MiB
/// it starts the disk write of what was just written, and drops from the page cache what it started
/// writing one interval earlier (waiting for that write first, which by then is done or nearly).
/// <para>
/// Without it a dump leaves its whole size dirty and then cached in the memory of the host it runs on,
/// which is often the memcached host: hundreds of GiB of a large fleet's dumps would push out whatever
/// else that host keeps in memory, and the fsync completing each file would write all of it at once.
/// With it a file holds about two intervals of the page cache, and the export keeps reusing the same
/// few pages instead of claiming new memory for every MiB it writes (on a virtual machine, memory not
/// touched for a while can cost many times more to claim than to reuse).
/// </para>
/// Linux only (<c>sync_file_range</c> and <c>posix_fadvise</c>). Neither gives durability (the fsync
/// that completes the file still does), and a failure of either is ignored: a write error is reported
/// by that fsync, because the kernel records it on the file whether or not its pages are still cached.
/// </summary>
internal sealed class WritebackWindow(SafeFileHandle file)
{
    /// <summary>How much is written between two steps: large enough that the calls cost nothing.</summary>
    internal const long Interval = 8L * 1024 * 1024;

    /// <summary>
    /// How far behind the newest started write the pages are dropped. One interval was not enough here: a
    /// disk that writes barely faster than the export fetches then makes the writer wait for it.
    /// </summary>
    internal const long DropLag = 3 * Interval;

    private const uint SyncFileRangeWaitBefore = 1;
    private const uint SyncFileRangeWrite = 2;
    private const uint SyncFileRangeWaitAfter = 4;

    private static bool s_unavailable = !OperatingSystem.IsLinux();

    private long _written;
    private long _started;
    private long _dropped;

    /// <summary>Records <paramref name="bytes"/> more written at the end of the file; acts when an interval is full.</summary>
    public void Written(int bytes)
    {
        _written += bytes;
        if (_written - _started < Interval || Volatile.Read(ref s_unavailable))
            return;
        try
        {
            var fd = (int)file.DangerousGetHandle();
            // Results are not checked: a file system without these answers EINVAL, and the fsync still does the work.
            _ = NativeMethods.sync_file_range(fd, _started, _written - _started, SyncFileRangeWrite);
            // Aligned so that no page-cache folio (up to 2 MiB, naturally aligned) straddles two drops: the
            // kernel keeps a folio that a range covers only in part.
            var end = (_started - DropLag) & ~(PageCache.FolioAlignment - 1);
            if (end > _dropped)
            {
                _ = NativeMethods.sync_file_range(fd, _dropped, end - _dropped, SyncFileRangeWaitBefore | SyncFileRangeWrite | SyncFileRangeWaitAfter);
                PageCache.Drop(file, _dropped, end - _dropped);
                _dropped = end;
            }
            _started = _written;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Volatile.Write(ref s_unavailable, true);
        }
    }

    /// <summary>After the file's fsync: drops all its pages, which are on disk now.</summary>
    public void Completed() => PageCache.Drop(file, 0, 0);

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);
    }
}
