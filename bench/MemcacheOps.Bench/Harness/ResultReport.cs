using System.Globalization;
using System.Text.Json;
using MemcacheOps.Bench.Scenarios;

namespace MemcacheOps.Bench.Harness;

/// <summary>Formats results: one line per scenario as it finishes, the final table, declared ratios, JSON.</summary>
internal static class ResultReport
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    private const double MiB = 1024 * 1024;

    public static string OneLine(ScenarioResult r) => r.IsOk
        ? string.Create(CultureInfo.InvariantCulture,
            $"{r.Scenario}: {r.Items:N0} items, {r.Bytes / MiB:F1} MiB in {r.WallSeconds:F3} s = {r.ItemsPerSecond:N0} items/s, {r.MiBPerSecond:F1} MiB/s; cpu {r.CpuSeconds:F2} s ({r.Measured}), server cpu {r.ServerCpuSeconds:F2} s, peak RSS {r.PeakRssBytes / MiB:F0} MiB{NotesSuffix(r)}")
        : $"{r.Scenario}: {r.Status}{NotesSuffix(r)}";

    public static void PrintTable(IReadOnlyList<ScenarioResult> results, TextWriter output)
    {
        output.WriteLine("| scenario | items | MiB | wall s | cpu s | server cpu s | peak RSS MiB | items/s | MiB/s | notes |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            if (!r.IsOk)
            {
                output.WriteLine($"| {r.Scenario} | {r.Status} | | | | | | | | {string.Join("; ", r.Notes)} |");
                continue;
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Items:N0} | {r.Bytes / MiB:F1} | {r.WallSeconds:F3} | {r.CpuSeconds:F2} | {r.ServerCpuSeconds:F2} | {r.PeakRssBytes / MiB:F0} | {r.ItemsPerSecond:N0} | {r.MiBPerSecond:F1} | {string.Join("; ", r.Notes)} |"));
        }
    }

    public static void PrintRatios(IReadOnlyList<ScenarioResult> results, TextWriter output)
    {
        var ratios = Ratios(results);
        if (ratios.Count == 0)
            return;
        output.WriteLine();
        output.WriteLine("ratios (items/s of the first over the second):");
        foreach (var ratio in ratios)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {ratio.Scenario} vs {ratio.Baseline}: {ratio.ItemsPerSecondRatio:F2}x"));
    }

    /// <summary>Every ratio a scenario declared (<see cref="IScenario.ComparesWith"/>) whose two sides both ran.</summary>
    public static List<ScenarioRatio> Ratios(IReadOnlyList<ScenarioResult> results)
    {
        var ratios = new List<ScenarioRatio>();
        foreach (var result in results.Where(r => r.IsOk))
        {
            foreach (var baselineName in ScenarioCatalog.Find(result.Scenario)?.ComparesWith ?? [])
            {
                var baseline = results.FirstOrDefault(r => r.Scenario == baselineName && r.IsOk);
                if (baseline is not null && baseline.ItemsPerSecond > 0)
                    ratios.Add(new ScenarioRatio(result.Scenario, baselineName, result.ItemsPerSecond / baseline.ItemsPerSecond));
            }
        }
        return ratios;
    }

    private static string NotesSuffix(ScenarioResult r) => r.Notes.Count > 0 ? " [" + string.Join("; ", r.Notes) + "]" : "";
}

internal sealed record ScenarioRatio(string Scenario, string Baseline, double ItemsPerSecondRatio);
