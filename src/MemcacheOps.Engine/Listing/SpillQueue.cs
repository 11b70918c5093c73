using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace MemcacheOps.Engine.Listing;

/// <summary>
/// A FIFO of listing chunks that never blocks its writer: chunks stay in memory up to a byte limit and
/// beyond it are appended to a temporary file, read back in order by the consumer. This is how a
/// slow consumer (a pipeline, a user's script) is kept from stalling the metadump socket.
/// </summary>
public sealed class SpillQueue : IListingChunkSink, IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<Segment> _segments = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly long _memoryLimit;
    private readonly string _spillDirectory;
    private long _memoryBytes;
    private SafeFileHandle? _file;
    private string? _filePath;
    private long _fileWritePosition;
    private bool _completed;
    private Exception? _error;

    public SpillQueue(long memoryLimit, string? spillDirectory = null)
    {
        _memoryLimit = memoryLimit;
        _spillDirectory = spillDirectory ?? Path.GetTempPath();
    }

    /// <summary>Bytes written to the spill file so far (0 when everything fit in memory).</summary>
    public long SpilledBytes
    {
        get
        {
            lock (_gate)
                return _fileWritePosition;
        }
    }

    public void Write(ReadOnlySpan<byte> lines, int lineCount)
    {
        if (lines.IsEmpty)
            return;
        lock (_gate)
        {
            if (_memoryBytes + lines.Length <= _memoryLimit)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(lines.Length);
                lines.CopyTo(buffer);
                _segments.Enqueue(new Segment(buffer, lines.Length, -1, lineCount));
                _memoryBytes += lines.Length;
            }
            else
            {
                _file ??= OpenSpillFile();
                RandomAccess.Write(_file, lines, _fileWritePosition);
                _segments.Enqueue(new Segment(null, lines.Length, _fileWritePosition, lineCount));
                _fileWritePosition += lines.Length;
            }
        }
        _available.Release();
    }

    public void Complete(Exception? error)
    {
        lock (_gate)
        {
            if (_completed)
                return;
            _completed = true;
            _error = error;
        }
        _available.Release();
    }

    /// <summary>
    /// Takes the next chunk into a buffer the caller must give back with <see cref="Return"/>; returns
    /// null at the end. Rethrows the listing's failure, if any, after every good chunk was taken.
    /// </summary>
    public async ValueTask<Chunk?> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
            Segment segment;
            lock (_gate)
            {
                if (!_segments.TryDequeue(out segment))
                {
                    if (!_completed)
                        continue;
                    _available.Release(); // keep the end visible to later calls
                    if (_error is not null)
                        throw _error;
                    return null;
                }
                if (segment.Buffer is not null)
                    _memoryBytes -= segment.Length;
            }
            if (segment.Buffer is not null)
                return new Chunk(segment.Buffer, segment.Length, segment.Lines);
            var buffer = ArrayPool<byte>.Shared.Rent(segment.Length);
            var read = 0;
            while (read < segment.Length)
                read += RandomAccess.Read(_file!, buffer.AsSpan(read, segment.Length - read), segment.FileOffset + read);
            return new Chunk(buffer, segment.Length, segment.Lines);
        }
    }

    public static void Return(Chunk chunk) => ArrayPool<byte>.Shared.Return(chunk.Buffer);

    private SafeFileHandle OpenSpillFile()
    {
        Directory.CreateDirectory(_spillDirectory);
        _filePath = Path.Combine(_spillDirectory, $"memcacheops-keys-{Environment.ProcessId}-{Guid.NewGuid():N}.spill");
        // DeleteOnClose: the spill never outlives the listing, even after a crash of this process.
        return File.OpenHandle(_filePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            while (_segments.TryDequeue(out var segment))
            {
                if (segment.Buffer is not null)
                    ArrayPool<byte>.Shared.Return(segment.Buffer);
            }
            _file?.Dispose();
            _file = null;
        }
        _available.Dispose();
    }

    private readonly record struct Segment(byte[]? Buffer, int Length, long FileOffset, int Lines);

    /// <summary>A chunk of whole lines in a pooled buffer.</summary>
    public readonly record struct Chunk(byte[] Buffer, int Length, int Lines)
    {
        public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);
    }
}
