using System.Buffers;
using System.Buffers.Text;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.KeySources;

/// <summary>
/// Reads a key file: one key per line, its bytes as written (a trailing \r of a CRLF file is not part of
/// it); a line starting with <c>b64:</c> holds a binary key in base64. Blank lines are skipped. A key that
/// memcached cannot address (longer than 250 bytes, or than 186 when it has bytes that need base64 on the
/// wire), bad base64, or a line longer than any key can be fails with the file and line number.
/// Streams the file through one pooled buffer: a key file may hold far more keys than fit in memory.
/// </summary>
public sealed class KeyFileReader : IDisposable
{
    /// <summary>The prefix of a line holding a base64-encoded binary key.</summary>
    public const string Base64Prefix = "b64:";

    /// <summary>Longest line accepted: a base64 form of the longest key plus the prefix, with room for a \r.</summary>
    private const int MaxLineLength = 512;

    private readonly Stream _stream;
    private readonly string _path;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _start;
    private int _end;
    private bool _eof;

    public KeyFileReader(string path)
    {
        _path = path;
        try
        {
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "KeyFileNotFound",
                $"The key file '{path}' cannot be read: {ex.Message} Give a text file with one key per line (-KeyFile, --key-file).", path, ex);
        }
    }

    /// <summary>The line number of the key last returned (1-based).</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// Reads the next key into <paramref name="key"/> (at least <see cref="KeyCodec.MaxKeyLength"/> bytes);
    /// returns its length, or -1 at the end of the file.
    /// </summary>
    public int ReadNext(Span<byte> key)
    {
        while (true)
        {
            var line = NextLine(out var found);
            if (!found)
                return -1;
            if (line.Length > 0 && line[^1] == (byte)'\r')
                line = line[..^1];
            if (line.IsEmpty)
                continue;
            return Decode(line, key);
        }
    }

    private int Decode(ReadOnlySpan<byte> line, Span<byte> key)
    {
        int length;
        if (line.StartsWith("b64:"u8))
        {
            var encoded = line[4..];
            if (encoded.IsEmpty)
                throw Bad("'b64:' is followed by nothing; give the key's bytes in base64 after it");
            if (Base64.GetMaxDecodedFromUtf8Length(encoded.Length) > KeyCodec.MaxKeyLength
                || Base64.DecodeFromUtf8(encoded, key, out var consumed, out length) != OperationStatus.Done || consumed != encoded.Length)
            {
                throw Base64.IsValid(encoded)
                    ? Bad($"the base64 key decodes to more than {KeyCodec.MaxBinaryKeyLength} bytes, the most memcached can address")
                    : Bad("the text after 'b64:' is not valid base64");
            }
        }
        else
        {
            if (line.Length > KeyCodec.MaxKeyLength)
                throw Bad($"the key is {line.Length} bytes long; memcached keys are at most {KeyCodec.MaxKeyLength} bytes");
            line.CopyTo(key);
            length = line.Length;
        }
        if (KeyCodec.WhyNotAddressable(key[..length]) is { } why)
            throw Bad(why);
        return length;
    }

    /// <summary>The next line without its \n; found is false at the end of the file.</summary>
    private ReadOnlySpan<byte> NextLine(out bool found)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                LineNumber++;
                _start += newline + 1;
                found = true;
                return CheckLength(pending[..newline]);
            }
            if (_eof)
            {
                if (pending.IsEmpty)
                {
                    found = false;
                    return default;
                }
                // The last line has no line ending.
                LineNumber++;
                _start = _end;
                found = true;
                return CheckLength(pending);
            }
            if (pending.Length > MaxLineLength)
            {
                LineNumber++;
                CheckLength(pending);
            }
            if (_start > 0)
            {
                pending.CopyTo(_buffer);
                _end = pending.Length;
                _start = 0;
            }
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
                _eof = true;
            _end += read;
        }
    }

    private ReadOnlySpan<byte> CheckLength(ReadOnlySpan<byte> line)
    {
        if (line.Length > MaxLineLength)
            throw Bad($"the line is longer than {MaxLineLength} bytes; memcached keys are at most {KeyCodec.MaxKeyLength} bytes (is this a file of keys, one per line?)");
        return line;
    }

    private MemcacheException Bad(string problem)
        => new(MemcacheErrorKind.InvalidData, "KeyFileInvalid",
            $"Line {LineNumber} of the key file '{_path}' is not a key: {problem}. Fix or remove that line: the file holds one key per line, binary keys as '{Base64Prefix}' followed by base64.",
            $"{_path}:{LineNumber}");

    public void Dispose()
    {
        _stream.Dispose();
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
