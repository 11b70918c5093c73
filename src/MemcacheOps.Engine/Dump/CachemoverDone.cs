using System.Globalization;
using System.Text;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// The totals of cachemover's <c>DONE</c> file. Older cachemover builds wrote no "from metadump"
/// and no "filtered" line, so every count is optional when read.
/// </summary>
public sealed class CachemoverDone
{
    private const string ListedLabel = "Total keys from metadump: ";
    private const string DumpedLabel = "Total keys dumped: ";
    private const string SkippedLabel = "Total keys skipped: ";
    private const string NotFoundLabel = "Total keys not found: ";
    private const string FilteredLabel = "Total keys filtered: ";
    private const string TimeLabel = "Total time taken: ";

    public long? Listed { get; init; }

    public long? Dumped { get; init; }

    public long? Skipped { get; init; }

    public long? NotFound { get; init; }

    public long? Filtered { get; init; }

    /// <summary>As written, e.g. "0 hours, 1 minutes, 7 seconds.".</summary>
    public string? TimeTaken { get; init; }

    /// <summary>The counts as <see cref="DumpTotals"/>; counts the file did not state are 0. Bytes are not in DONE.</summary>
    public DumpTotals ToTotals() => new()
    {
        Listed = Listed ?? 0,
        Dumped = Dumped ?? 0,
        Missing = NotFound ?? 0,
        Filtered = Filtered ?? 0,
        Skipped = Skipped ?? 0,
    };

    /// <summary>The exact text cachemover writes: "DONE" then one "Total ...: N" line per count, each ending in '\n'.</summary>
    public static string Format(DumpTotals totals, TimeSpan elapsed) =>
        new StringBuilder()
            .Append("DONE\n")
            .Append(ListedLabel).Append(totals.Listed.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(DumpedLabel).Append(totals.Dumped.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(SkippedLabel).Append(totals.Skipped.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(NotFoundLabel).Append(totals.Missing.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(FilteredLabel).Append(totals.Filtered.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(TimeLabel).Append(FormatElapsed(elapsed)).Append('\n')
            .ToString();

    /// <summary>Reads DONE text leniently (unknown lines ignored); null when the first line is not "DONE".</summary>
    public static CachemoverDone? Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || lines[0] != "DONE")
            return null;
        long? listed = null, dumped = null, skipped = null, notFound = null, filtered = null;
        string? time = null;
        foreach (var line in lines.AsSpan(1))
        {
            if (line.StartsWith(TimeLabel, StringComparison.Ordinal))
                time = line[TimeLabel.Length..];
            else
            {
                listed ??= Count(line, ListedLabel);
                dumped ??= Count(line, DumpedLabel);
                skipped ??= Count(line, SkippedLabel);
                notFound ??= Count(line, NotFoundLabel);
                filtered ??= Count(line, FilteredLabel);
            }
        }
        return new CachemoverDone
        {
            Listed = listed,
            Dumped = dumped,
            Skipped = skipped,
            NotFound = notFound,
            Filtered = filtered,
            TimeTaken = time,
        };
    }

    /// <summary>cachemover's elapsed-time text: "H hours, M minutes, S seconds.".</summary>
    public static string FormatElapsed(TimeSpan elapsed)
    {
        var seconds = (long)Math.Max(0, elapsed.TotalSeconds);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600} hours, {seconds % 3600 / 60} minutes, {seconds % 60} seconds.");
    }

    private static long? Count(string line, string label) =>
        line.StartsWith(label, StringComparison.Ordinal) &&
        long.TryParse(line.AsSpan(label.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
