using System.Globalization;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>Sizes in check results: exact below 1 KiB and for odd sizes, binary units for round ones.</summary>
internal static class ByteSize
{
    public static string Describe(long bytes)
    {
        var c = CultureInfo.InvariantCulture;
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
            return string.Create(c, $"{bytes / (1024 * 1024)} MiB");
        if (bytes >= 1024 && bytes % 1024 == 0)
            return string.Create(c, $"{bytes / 1024} KiB");
        return string.Create(c, $"{bytes:N0} B");
    }
}
