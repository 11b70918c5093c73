using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Storing;

/// <summary>
/// A batch of <c>ms</c> commands serialised as they are added, ready to send; keeps each item's key
/// position so a failure reply (matched by opaque) can name its key. Reused through a pool.
/// </summary>
public sealed class StoreBatch : IDisposable
{
    private readonly PooledBufferWriter _commands;
    private readonly List<(int Offset, int Length)> _keys;

    public StoreBatch(int capacityBytes)
    {
        _commands = new PooledBufferWriter(capacityBytes);
        _keys = new List<(int, int)>(256);
    }

    public int Count => _keys.Count;

    public long ValueBytes { get; private set; }

    public int CommandBytes => _commands.WrittenCount;

    public ReadOnlySpan<byte> Commands => _commands.WrittenSpan;

    private bool _sealed;

    /// <summary>
    /// Closes the batch with <c>mn</c> (once) and returns every byte to send. A sealed batch takes no
    /// more items until <see cref="Reset"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Seal()
    {
        if (!_sealed)
        {
            _commands.Write("mn\r\n"u8);
            _sealed = true;
        }
        return _commands.WrittenMemory;
    }

    /// <summary>Caller-defined tag (which file or source the items came from).</summary>
    public object? Tag { get; set; }

    // Outcomes, filled by the reply handler on the connection's reader.
    public int NotStored { get; internal set; }
    public int TooLarge { get; internal set; }
    public int OutOfMemory { get; internal set; }
    public int Failed { get; internal set; }
    public string? FirstFailure { get; internal set; }

    public int Stored => Count - NotStored - TooLarge - OutOfMemory - Failed;

    /// <summary>The key of item <paramref name="index"/> as it was sent (plain or base64 token).</summary>
    public ReadOnlySpan<byte> KeyToken(int index) => _commands.WrittenSpan.Slice(_keys[index].Offset, _keys[index].Length);

    /// <summary>
    /// Appends <c>ms &lt;key&gt; &lt;len&gt; F&lt;flags&gt; T&lt;ttl&gt; [M&lt;mode&gt;] q O&lt;i&gt; [b]</c> and the value.
    /// <paramref name="ttl"/> is what memcached's T token takes: 0 never, up to 30 days relative, larger absolute.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<byte> key, uint flags, long ttl, ReadOnlySpan<byte> value, StoreMode mode)
    {
        if (_sealed)
            throw new InvalidOperationException("The batch was sealed for sending; reset it before adding items.");
        _commands.Write("ms "u8);
        var keyStart = _commands.WrittenCount;
        var base64 = KeyCodec.WriteKeyToken(_commands, key);
        _keys.Add((keyStart, _commands.WrittenCount - keyStart));
        _commands.Write((byte)' ');
        _commands.WriteDecimal(value.Length);
        if (flags != 0)
        {
            _commands.Write(" F"u8);
            _commands.WriteDecimal((ulong)flags);
        }
        _commands.Write(" T"u8);
        _commands.WriteDecimal(ttl);
        switch (mode)
        {
            case StoreMode.Add:
                _commands.Write(" ME"u8);
                break;
            case StoreMode.Replace:
                _commands.Write(" MR"u8);
                break;
        }
        _commands.Write(" q O"u8);
        _commands.WriteDecimal(_keys.Count - 1);
        if (base64)
            _commands.Write(" b"u8);
        _commands.Write("\r\n"u8);
        _commands.Write(value);
        _commands.Write("\r\n"u8);
        ValueBytes += value.Length;
    }

    public void Reset()
    {
        _sealed = false;
        _commands.Reset();
        _keys.Clear();
        ValueBytes = 0;
        NotStored = TooLarge = OutOfMemory = Failed = 0;
        FirstFailure = null;
        Tag = null;
    }

    public void Dispose() => _commands.Dispose();
}
