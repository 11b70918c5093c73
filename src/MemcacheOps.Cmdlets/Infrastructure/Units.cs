using System.Globalization;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>Human-readable sizes for progress text (views format sizes in MemcacheOps.Format.ps1xml).</summary>
internal static class Units
{
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {units[unit]}");
    }
}
