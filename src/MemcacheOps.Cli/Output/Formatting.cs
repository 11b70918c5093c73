using System.Globalization;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Cli.Output;

/// <summary>Human-readable sizes, rates and durations, the same rules as the PowerShell views.</summary>
public static class Formatting
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
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes:0} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {units[unit]}");
    }

    public static string Rate(double perSecond) => perSecond >= 1_000_000
        ? string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1_000_000:0.00}M/s")
        : perSecond >= 1000
            ? string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1000:0.0}k/s")
            : string.Create(CultureInfo.InvariantCulture, $"{perSecond:0.#}/s");

    public static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : span.TotalSeconds >= 10
            ? span.ToString(@"m\:ss", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.00}s");

    /// <summary>
    /// The progress line, fitted to <paramref name="width"/> columns: a line longer than the terminal wraps, and
    /// the carriage return that redraws it then goes back only to its last row, so each update would leave a
    /// new line behind. The least useful parts go first (the byte rate, then the bytes, then the item rate),
    /// and whatever is still too long is cut.
    /// </summary>
    public static string ProgressLine(ProgressSnapshot s, int width = int.MaxValue)
    {
        var total = s.TotalItems is { } t ? string.Create(CultureInfo.InvariantCulture, $"/{t:N0}") : string.Empty;
        var eta = s.Remaining is { } r ? $" ETA {Duration(r)}" : string.Empty;
        var head = string.Create(CultureInfo.InvariantCulture, $"{s.Activity}: {s.Phase} {s.Items:N0}{total} items");
        var tail = $"{Duration(s.Elapsed)}{eta}";
        string[] candidates =
        [
            $"{head}, {Bytes(s.Bytes)}, {Rate(s.ItemsPerSecond)}, {Bytes(s.BytesPerSecond)}/s, {tail}",
            $"{head}, {Bytes(s.Bytes)}, {Rate(s.ItemsPerSecond)}, {tail}",
            $"{head}, {Rate(s.ItemsPerSecond)}, {tail}",
            $"{head}, {tail}",
        ];
        foreach (var candidate in candidates)
        {
            if (candidate.Length <= width)
                return candidate;
        }
        var shortest = candidates[^1];
        return width <= 1 ? string.Empty : shortest[..(width - 1)] + "…";
    }
}
