using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// A pass's listing lines on disk (a temporary file deleted on close). With -SyncDeletes the move only
/// remembers key digests, so to delete a vanished key on the destination it reads the key's bytes back
/// from the previous pass's listing, which is the last place that saw it.
/// </summary>
internal sealed class ListingSpool : IDisposable
{
    private readonly FileStream _file;

    public ListingSpool(string? directory)
    {
        var folder = directory ?? Path.GetTempPath();
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"memcacheops-move-{Environment.ProcessId}-{Guid.NewGuid():N}.keys");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 256 * 1024, FileOptions.DeleteOnClose);
    }

    public void Write(ReadOnlySpan<byte> lines) => _file.Write(lines);

    /// <summary>
    /// Calls <paramref name="onKey"/> with every key (decoded) whose digest is in <paramref name="wanted"/>,
    /// together with the digest's value there (the destination the key was copied to).
    /// </summary>
    public void FindKeys(IReadOnlyDictionary<UInt128, int> wanted, Action<int, byte[]> onKey)
    {
        if (wanted.Count == 0)
            return;
        _file.Flush();
        _file.Position = 0;
        var buffer = new byte[256 * 1024];
        var filled = 0;
        Span<byte> key = stackalloc byte[KeyText.MaxDisplayLength];
        while (true)
        {
            var read = _file.Read(buffer, filled, buffer.Length - filled);
            filled += read;
            var lines = buffer.AsSpan(0, filled);
            var last = lines.LastIndexOf((byte)'\n');
            var complete = read == 0 ? lines : last < 0 ? default : lines[..(last + 1)];
            var position = 0;
            while (MetadumpLines.TryReadNext(complete, ref position, key, out _, out var keyBytes))
            {
                var id = KeyIdentity.Of(keyBytes);
                if (wanted.TryGetValue(id, out var value))
                    onKey(value, keyBytes.ToArray());
            }
            if (read == 0)
                return;
            var consumed = last < 0 ? 0 : last + 1;
            buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
            filled -= consumed;
            if (filled == buffer.Length)
                Array.Resize(ref buffer, buffer.Length * 2); // a line longer than the buffer: grow rather than loop
        }
    }

    public void Dispose() => _file.Dispose();
}
