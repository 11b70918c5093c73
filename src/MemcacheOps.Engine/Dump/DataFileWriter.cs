using System.Buffers;
using System.Security.Cryptography;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// Writes V0 records to one data file. Records go through one large pooled buffer (one write system
/// call per buffer; values larger than the buffer are written straight from the caller's span), are
/// hashed as they are written, and land in a staging file. <see cref="Complete"/> flushes to disk
/// and renames the file to its final name; until then readers never see it as finished. Disposing
/// or aborting without completing deletes the staging file. Not thread-safe: one writer per sink.
/// </summary>
public sealed class DataFileWriter : IDisposable
{
    public const int DefaultBufferSize = 1 << 20;

    /// <summary>Suffix of a native data file while it is being written.</summary>
    public const string StagingSuffix = ".partial";

    // The buffer must hold any record header (14 + 65535 bytes) so large values need no special header path.
    private const int MinimumBufferSize = 128 * 1024;

    private readonly string _completedDirectory;
    private readonly string? _finalName;
    private readonly Func<string, string>? _nameFromMd5;
    private readonly DumpChecksum.Hasher _checksum;
    private readonly IncrementalHash? _md5;
    private FileStream? _stream;
    private WritebackWindow? _writeback;
    private byte[]? _buffer;
    private byte[]? _spare;
    private WriteBehind? _writeBehind;
    private int _buffered;
    private State _state;

    private DataFileWriter(string stagingPath, string completedDirectory, string? finalName, Func<string, string>? nameFromMd5,
        int bufferSize, Func<string, FileStream>? openStaging, ChecksumAlgorithm checksum = ChecksumAlgorithm.Sha256)
    {
        if (checksum is not (ChecksumAlgorithm.Sha256 or ChecksumAlgorithm.Crc32C))
            throw new ArgumentOutOfRangeException(nameof(checksum), checksum, "Data files are checksummed with SHA-256 or CRC-32C.");
        StagingPath = stagingPath;
        _completedDirectory = completedDirectory;
        _finalName = finalName;
        _nameFromMd5 = nameFromMd5;
        _checksum = new DumpChecksum.Hasher(checksum);
        _md5 = nameFromMd5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, MinimumBufferSize));
        try
        {
            _stream = (openStaging ?? PrivateFiles.CreateNew)(stagingPath);
            _writeback = new WritebackWindow(_stream.SafeFileHandle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ReleaseResources();
            _state = State.Failed;
            throw DumpErrors.WriteFailed(stagingPath, ex);
        }
    }

    private enum State
    {
        Open,
        Completed,
        Failed,
        Aborted,
    }

    /// <summary>Where the file is while being written.</summary>
    public string StagingPath { get; }

    /// <summary>Records appended so far.</summary>
    public long Records { get; private set; }

    /// <summary>Bytes appended so far (buffered or written): the file's length once completed. Drives rotation.</summary>
    public long Bytes { get; private set; }

    /// <summary>
    /// Starts a native data file: staged as <c>&lt;fileName&gt;.partial</c> in
    /// <paramref name="directory"/> (created 0700 if missing), renamed to <paramref name="fileName"/>
    /// on completion. Hashes with SHA-256.
    /// </summary>
    public static DataFileWriter Create(string directory, string fileName, int bufferSize = DefaultBufferSize, ChecksumAlgorithm checksum = ChecksumAlgorithm.Sha256)
    {
        if (!NativeLayout.IsSafeFileName(fileName))
            throw new ArgumentException($"'{fileName}' is not a plain file name.", nameof(fileName));
        PrivateFiles.CreateDirectory(directory);
        return new DataFileWriter(Path.Combine(directory, fileName + StagingSuffix), directory, fileName, null, bufferSize, null, checksum);
    }

    /// <summary>A writer whose final name is computed from the MD5 of the whole file (cachemover layout).</summary>
    internal static DataFileWriter CreateNamedByMd5(string stagingPath, string completedDirectory, Func<string, string> nameFromMd5,
        int bufferSize = DefaultBufferSize, ChecksumAlgorithm checksum = ChecksumAlgorithm.Sha256) =>
        new(stagingPath, completedDirectory, null, nameFromMd5, bufferSize, null, checksum);

    /// <summary>Test seam: lets tests stage onto a device that fails writes (e.g. /dev/full).</summary>
    internal static DataFileWriter CreateWithStagingOpener(string directory, string fileName, Func<string, FileStream> openStaging,
        int bufferSize = DefaultBufferSize) =>
        new(Path.Combine(directory, fileName + StagingSuffix), directory, fileName, null, bufferSize, openStaging);

    /// <summary>
    /// Appends one record. Copies into the buffer (no allocation); a record larger than the buffer
    /// is written through directly. Throws DumpWriteFailed (kind WriteFailed) when the disk refuses;
    /// the staging file is then deleted and the writer is finished.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Append(ReadOnlySpan<byte> key, int expiry, uint flags, ReadOnlySpan<byte> value)
    {
        EnsureOpen();
        if (key.IsEmpty || key.Length > V0Record.MaxKeyLength)
            throw new ArgumentException($"A V0 key must be 1 to {V0Record.MaxKeyLength} bytes long (got {key.Length}).", nameof(key));
        var buffer = _buffer!;
        var size = V0Record.RecordSize(key.Length, value.Length);
        try
        {
            if (size > buffer.Length - _buffered)
                FlushBuffer();
            if (size <= _buffer!.Length)
            {
                _buffered += V0Record.Write(_buffer.AsSpan(_buffered), key, expiry, flags, value);
            }
            else
            {
                // Too big to stage in the buffer: header through the buffer, value straight from the caller
                // (after the write-behind thread is idle, so the order of bytes is kept).
                _buffered += V0Record.WriteHeader(_buffer.AsSpan(_buffered), key, expiry, flags, value.Length);
                FlushBuffer();
                _writeBehind?.Drain();
                HashAndWrite(value);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail();
            throw DumpErrors.WriteFailed(StagingPath, ex);
        }
        Records++;
        Bytes += size;
    }

    /// <summary>
    /// Flushes, forces the data to disk, renames the staging file to its final name (native: the
    /// name given; cachemover: derived from the MD5) and returns what was written. An existing file
    /// of the final name is never overwritten (DumpWriteFailed instead).
    /// </summary>
    public DataFileInfo Complete()
    {
        EnsureOpen();
        string finalPath;
        string? md5 = null;
        string checksum;
        try
        {
            FlushBuffer();
            _writeBehind?.Drain();
            _stream!.Flush(flushToDisk: true);
            _writeback?.Completed();
            _stream.Dispose();
            _stream = null;
            checksum = DumpChecksum.ToHex(_checksum.GetHashAndReset(), _checksum.Algorithm);
            if (_md5 is not null)
                md5 = DumpChecksum.ToHex(_md5.GetHashAndReset(), ChecksumAlgorithm.Md5);
            var name = _finalName ?? _nameFromMd5!(md5!);
            finalPath = Path.Combine(_completedDirectory, name);
            PrivateFiles.CreateDirectory(_completedDirectory);
            File.Move(StagingPath, finalPath, overwrite: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail();
            throw DumpErrors.WriteFailed(StagingPath, ex);
        }
        catch (MemcacheException)
        {
            Fail();
            throw;
        }
        _state = State.Completed;
        ReleaseResources();
        return new DataFileInfo(Path.GetFileName(finalPath), finalPath, Records, Bytes, _checksum.Algorithm, checksum, md5);
    }

    /// <summary>Stops writing and deletes the staging file. Safe to call more than once.</summary>
    public void Abort()
    {
        if (_state != State.Open)
            return;
        _state = State.Aborted;
        ReleaseResources();
        PrivateFiles.TryDelete(StagingPath);
    }

    /// <summary>Aborts unless <see cref="Complete"/> succeeded: an unfinished file never looks finished.</summary>
    public void Dispose() => Abort();

    /// <summary>
    /// Hands the full buffer to the write-behind thread (which checksums and writes it) and continues in
    /// the spare one, so checksumming and disk writes overlap with receiving the next values.
    /// </summary>
    private void FlushBuffer()
    {
        if (_buffered == 0)
            return;
        _writeBehind ??= new WriteBehind(HashAndWrite, "MemcacheOps data file writer");
        var full = _buffer!;
        _writeBehind.Submit(full, _buffered);
        _buffer = _spare ?? ArrayPool<byte>.Shared.Rent(full.Length);
        _spare = full;
        _buffered = 0;
    }

    private void HashAndWrite(ReadOnlySpan<byte> bytes)
    {
        _checksum.AppendData(bytes);
        _md5?.AppendData(bytes);
        _stream!.Write(bytes);
        _writeback?.Written(bytes.Length);
    }

    private void Fail()
    {
        _state = State.Failed;
        ReleaseResources();
        PrivateFiles.TryDelete(StagingPath);
    }

    private void EnsureOpen()
    {
        if (_state != State.Open)
            throw new InvalidOperationException($"The data file writer for '{StagingPath}' is already {_state.ToString().ToLowerInvariant()}.");
    }

    private void ReleaseResources()
    {
        // Stop the write-behind thread before the stream and buffers it uses go away.
        _writeBehind?.Dispose();
        _writeBehind = null;
        try
        {
            _stream?.Dispose();
        }
        catch (IOException)
        {
            // Closing after a failed write can fail again (buffered data, full disk); the file is discarded anyway.
        }
        _stream = null;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
        if (_spare is not null)
        {
            ArrayPool<byte>.Shared.Return(_spare);
            _spare = null;
        }
        _checksum.Dispose();
        _md5?.Dispose();
    }
}
