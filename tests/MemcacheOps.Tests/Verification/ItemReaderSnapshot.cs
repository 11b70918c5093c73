using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MemcacheOps.Tests.Verification;

/// <summary>What a server holds for a key, including its CAS: a rewrite of the same value changes the CAS.</summary>
internal sealed record CasItem(byte[] Value, uint Flags, long Ttl, ulong Cas);

/// <summary>Reads items one by one with <c>mg &lt;base64 key&gt; b v f t c</c> on a plain socket, independent of the code under test.</summary>
internal static class ItemReaderSnapshot
{
    public static async Task<Dictionary<string, CasItem>> ReadAsync(string endpoint, IEnumerable<byte[]> keys)
    {
        var parts = endpoint.Split(':');
        using var client = new TcpClient();
        await client.ConnectAsync(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture));
        var stream = client.GetStream();
        stream.ReadTimeout = 10_000;
        var result = new Dictionary<string, CasItem>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"mg {Convert.ToBase64String(key)} b v f t c\r\n"));
            var line = ReadLine(stream);
            if (line == "EN")
                continue;
            var tokens = line.Split(' ');
            Assert.True(tokens[0] == "VA", "unexpected reply " + line);
            var length = int.Parse(tokens[1], CultureInfo.InvariantCulture);
            var value = new byte[length + 2];
            stream.ReadExactly(value);
            string Flag(char letter) => tokens.Skip(2).Single(t => t[0] == letter)[1..];
            result[Encoding.Latin1.GetString(key)] = new CasItem(value[..length], uint.Parse(Flag('f'), CultureInfo.InvariantCulture),
                long.Parse(Flag('t'), CultureInfo.InvariantCulture), ulong.Parse(Flag('c'), CultureInfo.InvariantCulture));
        }
        return result;
    }

    private static string ReadLine(NetworkStream stream)
    {
        var bytes = new List<byte>();
        while (true)
        {
            var b = stream.ReadByte();
            if (b < 0)
                throw new IOException("connection closed");
            if (b == '\n')
                return Encoding.Latin1.GetString(bytes.ToArray()).TrimEnd('\r');
            bytes.Add((byte)b);
        }
    }
}
