using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Engine.Export;

/// <summary>A finished key file: raw metadump lines of one part of the listing.</summary>
public sealed record KeyFileInfo(int Index, string Name, string FullPath, long Lines, long Bytes);

/// <summary>
/// Spools the listing stream to key files of a bounded size, split on line boundaries. Each file is
/// written under a staging name and renamed when complete, then announced so fetching can start while
/// the listing goes on. Writing to disk never waits on fetching, so the metadump socket is always drained.
/// The first file is small and each next one twice as large, up to the key file size, so the fetch
/// starts after a few thousand keys instead of waiting for a whole key file's worth of listing.
/// </summary>
public sealed class KeyFileSpool : IListingChunkSink, IDisposable
{
    private readonly string _directory;
    private readonly Func<int, string> _nameOf;
    private const long FirstFileBytes = 256 * 1024;

    private readonly long _maxBytes;
    private long _fileBytes;
    private readonly Action<KeyFileInfo> _onCompleted;
    private FileStream? _current;
    private int _index;
    private long _lines;
    private long _bytes;

    public KeyFileSpool(string directory, Func<int, string> nameOf, long maxBytes, int firstIndex, Action<KeyFileInfo> onCompleted)
    {
        _directory = directory;
        _nameOf = nameOf;
        _maxBytes = Math.Max(maxBytes, 4096);
        _fileBytes = Math.Min(_maxBytes, FirstFileBytes);
        _onCompleted = onCompleted;
        _index = firstIndex;
    }

    public const string StagingSuffix = ".partial";

    public void Write(ReadOnlySpan<byte> lines, int lineCount)
    {
        while (!lines.IsEmpty)
        {
            var room = _fileBytes - _bytes;
            ReadOnlySpan<byte> part;
            if (lines.Length <= room)
            {
                part = lines;
            }
            else
            {
                var cut = room > 0 ? lines[..(int)room].LastIndexOf((byte)'\n') : -1;
                if (cut < 0)
                {
                    if (_bytes > 0)
                    {
                        FinishCurrent();
                        continue;
                    }
                    // A single line larger than a key file: keep it whole.
                    cut = lines.IndexOf((byte)'\n');
                    if (cut < 0)
                        cut = lines.Length - 1;
                }
                part = lines[..(cut + 1)];
            }
            WriteToCurrent(part);
            lines = lines[part.Length..];
            if (_bytes >= _fileBytes)
                FinishCurrent();
        }
    }

    private void WriteToCurrent(ReadOnlySpan<byte> part)
    {
        if (_current is null)
        {
            var path = Path.Combine(_directory, _nameOf(_index) + StagingSuffix);
            try
            {
                _current = PrivateFiles.CreateNew(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw DumpErrors.WriteFailed(path, ex);
            }
        }
        try
        {
            _current.Write(part);
        }
        catch (IOException ex)
        {
            throw DumpErrors.WriteFailed(_current.Name, ex);
        }
        _bytes += part.Length;
        _lines += part.Count((byte)'\n');
    }

    private void FinishCurrent()
    {
        if (_current is null)
            return;
        var staging = _current.Name;
        try
        {
            // No fsync per key file: it would slow the listing (which must drain the server) by one disk
            // sync per file. The manifest records each key file's line count and a resume checks it, so
            // a key file lost to a power failure restarts the dump instead of losing keys.
            _current.Flush(flushToDisk: false);
        }
        catch (IOException ex)
        {
            throw DumpErrors.WriteFailed(staging, ex);
        }
        finally
        {
            _current.Dispose();
            _current = null;
        }
        var name = _nameOf(_index);
        var final = Path.Combine(_directory, name);
        File.Move(staging, final, overwrite: true);
        _onCompleted(new KeyFileInfo(_index, name, final, _lines, _bytes));
        _index++;
        _lines = 0;
        _bytes = 0;
        _fileBytes = Math.Min(_maxBytes, _fileBytes * 2);
    }

    public void Complete(Exception? error)
    {
        if (error is null)
        {
            FinishCurrent();
            return;
        }
        // A failed listing leaves its last file under the staging name: never taken as complete.
        _current?.Dispose();
        _current = null;
    }

    public void Dispose()
    {
        _current?.Dispose();
        _current = null;
    }
}
