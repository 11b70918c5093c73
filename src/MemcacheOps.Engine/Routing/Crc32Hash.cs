namespace MemcacheOps.Engine.Routing;

/// <summary>
/// The CRC-32 of zlib, Ethernet and PNG (reflected polynomial 0xEDB88320, initial value and final XOR all
/// ones), which mcrouter's <c>crc32</c> pools hash keys with. The engine's other CRC (<see cref="Dump.Crc32C"/>)
/// is the Castagnoli polynomial and gives different values. Table-driven, one byte at a time: keys are at
/// most 250 bytes, so a wider loop would not pay for itself.
/// </summary>
internal static class Crc32Hash
{
    private const uint Polynomial = 0xEDB88320;

    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var table = Table;
        var crc = uint.MaxValue;
        foreach (var b in data)
            crc = (crc >> 8) ^ table[(byte)(crc ^ b)];
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var bit = 0; bit < 8; bit++)
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
