namespace MemcacheOps.Testing;

/// <summary>A <see cref="ByteReader"/> over a stream, e.g. the standard output of a tool being measured.</summary>
public sealed class StreamByteReader : ByteReader
{
    private readonly Stream _stream;
    private readonly string _name;

    public StreamByteReader(Stream stream, string name, int bufferSize = DefaultBufferSize)
        : base(bufferSize)
    {
        _stream = stream;
        _name = name;
    }

    protected override string SourceName => _name;

    protected override ValueTask<int> ReadCoreAsync(Memory<byte> destination, CancellationToken cancellationToken)
        => _stream.ReadAsync(destination, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _stream.Dispose();
    }
}
