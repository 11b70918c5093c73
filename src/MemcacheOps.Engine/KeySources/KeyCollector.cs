using System.Buffers.Text;
using System.Globalization;
using System.Text;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.KeySources;

/// <summary>
/// Collects keys given one at a time (piped into a cmdlet, <c>-Key</c>, <c>--key</c>) into a private
/// temporary key file, so any number of them is held with bounded memory, and turns them into a
/// <see cref="KeySource"/>. Each key is checked as it arrives; a key memcached cannot address fails with
/// its position. The file is deleted when the collector is disposed (and, if the process dies, it is in
/// the temporary folder, readable by its owner only).
/// </summary>
public sealed class KeyCollector : IDisposable
{
    private readonly string _path;
    private readonly string _origin;
    private FileStream? _file;
    private long _count;
    private bool _disposed;

    /// <param name="origin">What the keys are, for messages: "piped key", "-Key value".</param>
    /// <param name="directory">Where the temporary file goes; the system temporary folder by default.</param>
    public KeyCollector(string origin, string? directory = null)
    {
        _origin = origin;
        var folder = directory ?? Path.GetTempPath();
        Directory.CreateDirectory(folder);
        _path = Path.Combine(folder, $"memcacheops-keys-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
    }

    /// <summary>Keys collected so far.</summary>
    public long Count => _count;

    /// <summary>Adds a key typed as text (its UTF-8 bytes).</summary>
    public void Add(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Add(Encoding.UTF8.GetBytes(key), key);
    }

    /// <summary>Adds a key given as bytes (a binary key).</summary>
    public void Add(ReadOnlySpan<byte> key) => Add(key, null);

    private void Add(ReadOnlySpan<byte> key, string? text)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (KeyCodec.WhyNotAddressable(key) is { } why)
        {
            var shown = text is null ? Listing.KeyText.ToDisplayString(key[..Math.Min(key.Length, 64)], out _) : text.Length > 64 ? text[..64] + "..." : text;
            throw new MemcacheException(MemcacheErrorKind.InvalidData, "KeyInvalid",
                string.Create(CultureInfo.InvariantCulture, $"The {_origin} number {_count + 1} ('{shown}') is not a memcached key: {why}. Give keys of at most {KeyCodec.MaxKeyLength} bytes ({KeyCodec.MaxBinaryKeyLength} for keys with spaces, control or binary bytes)."),
                shown);
        }
        _file ??= PrivateFile();
        // Every key is written in base64: the file is only read back by this program, and base64 keeps
        // keys with line breaks, or starting with "b64:", exactly as given.
        Span<byte> line = stackalloc byte[KeyFileReader.Base64Prefix.Length + Base64.GetMaxEncodedToUtf8Length(KeyCodec.MaxKeyLength) + 1];
        "b64:"u8.CopyTo(line);
        Base64.EncodeToUtf8(key, line[4..], out _, out var written);
        line[4 + written] = (byte)'\n';
        _file.Write(line[..(5 + written)]);
        _count++;
    }

    /// <summary>The collected keys as a key source; null when none was collected. The collector must outlive its use.</summary>
    public KeySource? ToKeySource()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_count == 0)
            return null;
        _file!.Flush();
        return new GivenKeySource(_path, _count,
            string.Create(CultureInfo.InvariantCulture, $"{_count:N0} given key{(_count == 1 ? string.Empty : "s")}"));
    }

    private FileStream PrivateFile()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 64 * 1024 };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(_path, options);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _file?.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }
}
