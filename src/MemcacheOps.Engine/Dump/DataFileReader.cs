using System.Buffers;
using System.Buffers.Binary;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Reads V0 records from a data file or stream through one pooled buffer, with no allocation per
/// record. Any structural problem (record cut short, key length 0, value length beyond the limit,
/// record count or size different from what the dump recorded) raises DumpFileCorrupt with the file
/// name and byte offset: a damaged file is never read as a silently shorter one.
/// </summary>
public sealed class DataFileReader : IDisposable
{
    private const int HeaderPrefix = 2;

    /// <summary>How far behind the read position pages are dropped, and how often.</summary>
    private const long DropInterval = 8L * 1024 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly int _baseSize;
    private readonly int _maxValueLength;
    private readonly long? _expectedRecords;
    private readonly long? _expectedBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _endOfStream;
    private bool _disposed;
    private long _streamOffset;
    private long _dropped;

    /// <summary>Opens the file for sequential reading; DumpReadFailed when it cannot be opened.</summary>
    public DataFileReader(string path, DataFileReadOptions? options = null)
        : this(OpenFile(path), path, leaveOpen: false, options)
    {
    }

    /// <summary>Reads from any stream; <paramref name="name"/> is what errors call it.</summary>
    public DataFileReader(Stream stream, string name, bool leaveOpen = false, DataFileReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new DataFileReadOptions();
        // A record (header + value) must fit in one array.
        if (options.MaxValueLength < 0 || options.MaxValueLength > Array.MaxLength - V0Record.HeaderSize(V0Record.MaxKeyLength))
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxValueLength, "MaxValueLength is out of range.");
        _stream = stream;
        _leaveOpen = leaveOpen;
        Name = name;
        _maxValueLength = options.MaxValueLength;
        _expectedRecords = options.ExpectedRecords;
        _expectedBytes = options.ExpectedBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(options.BufferSize, 4096));
        // The pool may round up; the rented length is the size to shrink back to after a large record.
        _baseSize = _buffer.Length;
    }

    /// <summary>The file name or path used in errors.</summary>
    public string Name { get; }

    /// <summary>Records returned so far.</summary>
    public long RecordsRead { get; private set; }

    /// <summary>Offset just past the last record returned.</summary>
    public long Position { get; private set; }

    /// <summary>
    /// Reads the next record; false at the clean end of the file. The view's spans stay valid until
    /// the next call. Throws DumpFileCorrupt on any damage and DumpReadFailed on I/O errors.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool TryReadNext(out V0RecordView record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        record = default;
        var offset = Position;
        if (!Ensure(HeaderPrefix))
        {
            if (_end - _start == 0)
            {
                CheckEndExpectations();
                return false;
            }
            throw DumpErrors.Corrupt(Name, offset, $"the file ends inside a record ({_end - _start} byte(s) left, a record needs at least {V0Record.FixedOverhead + 1})");
        }
        if (_expectedRecords is { } expected && RecordsRead >= expected)
            throw DumpErrors.Corrupt(Name, offset, $"the dump records {expected} record(s) for this file but more data follows");

        var keyLength = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start));
        if (keyLength == 0)
            throw DumpErrors.Corrupt(Name, offset, "a record has key length 0");
        var headerSize = V0Record.HeaderSize(keyLength);
        if (!Ensure(headerSize))
            throw Truncated(offset, headerSize);

        var header = _buffer.AsSpan(_start + HeaderPrefix + keyLength, 12);
        var expiry = BinaryPrimitives.ReadInt32BigEndian(header);
        var flags = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        var valueLength = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        if (valueLength > (uint)_maxValueLength)
            throw DumpErrors.Corrupt(Name, offset, $"a record claims a value of {valueLength} bytes, more than the {_maxValueLength}-byte limit");

        var size = headerSize + (int)valueLength;
        if (!Ensure(size))
            throw Truncated(offset, size);

        var recordBytes = _buffer.AsSpan(_start, size);
        record = new V0RecordView(recordBytes.Slice(HeaderPrefix, keyLength), recordBytes[headerSize..], expiry, flags, offset);
        _start += size;
        Position += size;
        RecordsRead++;
        return true;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_leaveOpen)
            _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private MemcacheException Truncated(long offset, int needed) =>
        DumpErrors.Corrupt(Name, offset, $"the record needs {needed} bytes but the file ends after {_end - _start}");

    private void CheckEndExpectations()
    {
        if (_expectedRecords is { } records && RecordsRead != records)
            throw DumpErrors.Corrupt(Name, Position, $"the file ends after {RecordsRead} record(s) but the dump records {records}");
        if (_expectedBytes is { } bytes && Position != bytes)
            throw DumpErrors.Corrupt(Name, Position, $"the file is {Position} bytes long but the dump records {bytes}");
    }

    /// <summary>
    /// Makes at least <paramref name="count"/> unread bytes available from <c>_start</c>; false when
    /// the stream ends first. Compacts, grows for a large record, and shrinks back afterwards so one
    /// huge value does not pin a huge buffer.
    /// </summary>
    private bool Ensure(int count)
    {
        var available = _end - _start;
        if (available >= count)
            return true;
        if (_endOfStream)
            return false;

        var wanted = Math.Max(count, _baseSize);
        if (_buffer.Length < count || (_buffer.Length > _baseSize && wanted == _baseSize))
            Reallocate(wanted);
        else if (_buffer.Length - _start < count)
            Compact();

        while (_end - _start < count)
        {
            int read;
            try
            {
                read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw DumpErrors.ReadFailed(Name, ex);
            }
            if (read == 0)
            {
                _endOfStream = true;
                return false;
            }
            _end += read;
            _streamOffset += read;
            DropBehind();
        }
        return true;
    }

    /// <summary>
    /// A dump is read once (after its checksum pass), so the pages already read are dropped from the page
    /// cache as the reader moves on: loading a dump of any size then holds a bounded part of it in memory,
    /// and keeps reusing the same pages rather than claiming new ones.
    /// </summary>
    private void DropBehind()
    {
        if (_stream is not FileStream file || _streamOffset - _dropped < DropInterval)
            return;
        var end = (_streamOffset - DropInterval) & ~(PageCache.FolioAlignment - 1);
        if (end <= _dropped)
            return;
        PageCache.Drop(file.SafeFileHandle, _dropped, end - _dropped);
        _dropped = end;
    }

    private void Compact()
    {
        var unread = _end - _start;
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, unread);
        _start = 0;
        _end = unread;
    }

    private void Reallocate(int size)
    {
        var unread = _end - _start;
        var replacement = ArrayPool<byte>.Shared.Rent(Math.Max(size, unread));
        Buffer.BlockCopy(_buffer, _start, replacement, 0, unread);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = replacement;
        _start = 0;
        _end = unread;
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read,
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw DumpErrors.ReadFailed(path, ex);
        }
    }
}
