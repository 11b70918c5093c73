using System.Globalization;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>
/// Human-readable sizes, rates and durations: for progress text, and for the table views in
/// MemcacheOps.Format.ps1xml, which call these as [MemcacheOps.Cmdlets.Infrastructure.Units]::Bytes($_.Size)
/// so the console and the views say the same thing the same way.
/// </summary>
public static class Units
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>1536 -> "1.5 KiB".</summary>
    public static string Bytes(double bytes)
    {
        var unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < ByteUnits.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {ByteUnits[unit]}");
    }

    /// <summary>Bytes per second: "12.5 MiB/s".</summary>
    public static string BytesPerSecond(double bytesPerSecond) => Bytes(bytesPerSecond) + "/s";

    /// <summary>Operations per second: "950/s", "12.3k/s", "1.2M/s".</summary>
    public static string Rate(double perSecond) => Math.Abs(perSecond) switch
    {
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1_000_000:0.#}M/s"),
        >= 10_000 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1_000:0.#}k/s"),
        >= 100 => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0}/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0.#}/s"),
    };

    /// <summary>A duration in its two largest units: "3d 4h", "2h 05m", "4m 09s", "12.3s".</summary>
    public static string Duration(TimeSpan duration)
    {
        var sign = duration < TimeSpan.Zero ? "-" : string.Empty;
        var d = duration.Duration();
        var c = CultureInfo.InvariantCulture;
        if (d.TotalDays >= 1)
            return string.Create(c, $"{sign}{(int)d.TotalDays}d {d.Hours}h");
        if (d.TotalHours >= 1)
            return string.Create(c, $"{sign}{d.Hours}h {d.Minutes:00}m");
        if (d.TotalMinutes >= 1)
            return string.Create(c, $"{sign}{d.Minutes}m {d.Seconds:00}s");
        return string.Create(c, $"{sign}{d.TotalSeconds:0.#}s");
    }

    /// <summary>Seconds as a duration (stats report ages and idle times in seconds).</summary>
    public static string Seconds(double seconds) => Duration(TimeSpan.FromSeconds(seconds));

    /// <summary>A ratio 0..1 as a percentage ("93.4%"), or "n/a" when unknown.</summary>
    public static string Percent(double? ratio)
        => ratio is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r * 100:0.0}%") : "n/a";

    /// <summary>
    /// The end of a long text in at most <paramref name="width"/> characters, "…" first: a table column of paths
    /// keeps the folder names that tell dumps apart instead of the common start that PowerShell's own truncation keeps.
    /// </summary>
    public static string Tail(string? text, int width)
    {
        if (string.IsNullOrEmpty(text) || width < 2 || text.Length <= width)
            return text ?? string.Empty;
        return string.Concat("…", text.AsSpan(text.Length - (width - 1)));
    }

    /// <summary>When an item expires, relative to now: "never", "expired", "in 5m 10s".</summary>
    public static string Expiry(DateTimeOffset? expiration)
    {
        if (expiration is not { } at)
            return "never";
        var left = at - DateTimeOffset.UtcNow;
        return left <= TimeSpan.Zero ? "expired" : "in " + Duration(left);
    }
}
