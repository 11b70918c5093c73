using System.Runtime.InteropServices;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// The least a dump must do with what it fetched: append the bytes to a file through a 1 MiB buffer, keep
/// only a window of the file in the page cache (as a dump of any size must; without it every run would
/// claim the file's size of new memory), and force it to disk at the end. No records, no checksum, no
/// write-behind thread: writes happen on the caller's thread. Written with its own system calls, independent
/// of the engine's data-file writer, which it is the yardstick for.
/// </summary>
internal sealed class RawDumpFile : IDisposable
{
    private const int BufferSize = 1 << 20;
    private const long Interval = 8L * 1024 * 1024;
    private const long Lag = 3 * Interval;

    private readonly FileStream _stream;
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferSize);
    private int _buffered;
    private long _written;
    private long _started;
    private long _dropped;

    public RawDumpFile(string path)
    {
        _stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            BufferSize = 0,
        });
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var n = Math.Min(bytes.Length, BufferSize - _buffered);
            bytes[..n].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += n;
            bytes = bytes[n..];
            if (_buffered == BufferSize)
                Flush();
        }
    }

    /// <summary>Writes what is buffered, forces the file to disk and drops it from the page cache.</summary>
    public void Complete()
    {
        Flush();
        _stream.Flush(flushToDisk: true);
        _ = posix_fadvise(Fd, 0, 0, FadviseDontNeed);
    }

    public void Dispose() => _stream.Dispose();

    private int Fd => (int)_stream.SafeFileHandle.DangerousGetHandle();

    private void Flush()
    {
        _stream.Write(_buffer, 0, _buffered);
        _written += _buffered;
        _buffered = 0;
        if (_written - _started < Interval)
            return;
        // Start writing the last interval; wait for and drop what was started Lag earlier.
        _ = sync_file_range(Fd, _started, _written - _started, SyncWrite);
        var end = (_started - Lag) & ~(2L * 1024 * 1024 - 1);
        if (end > _dropped)
        {
            _ = sync_file_range(Fd, _dropped, end - _dropped, SyncWaitBefore | SyncWrite | SyncWaitAfter);
            _ = posix_fadvise(Fd, _dropped, end - _dropped, FadviseDontNeed);
            _dropped = end;
        }
        _started = _written;
    }

    private const uint SyncWaitBefore = 1, SyncWrite = 2, SyncWaitAfter = 4;
    private const int FadviseDontNeed = 4;

    [DllImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);

    [DllImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int posix_fadvise(int fd, long offset, long len, int advice);
}
