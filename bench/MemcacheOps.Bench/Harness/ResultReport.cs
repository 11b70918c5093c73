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
            $"{r.Scenario}: {r.Items:N0} items, {r.Bytes / MiB:F1} MiB in {r.WallSeconds:F3} s = {r.ItemsPerSecond:N0} items/s, {r.MiBPerSecond:F1} MiB/s; cpu {r.CpuSeconds:F2} s ({r.Measured}{Jit(r)}), server cpu {r.ServerCpuSeconds:F2} s, peak RSS {r.PeakRssBytes / MiB:F0} MiB{NotesSuffix(r)}")
        : $"{r.Scenario}: {r.Status}{NotesSuffix(r)}";

    /// <summary>"; JIT compiled 850 methods in 0.12 s" when methods were compiled during the measured work.</summary>
    private static string Jit(ScenarioResult r) => r.JittedMethods == 0
        ? ""
        : string.Create(CultureInfo.InvariantCulture, $"; JIT compiled {r.JittedMethods:N0} methods in {r.JitSeconds:F2} s");

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

    public static void PrintRatios(IReadOnlyList<ScenarioResult> results, IReadOnlyDictionary<string, List<ScenarioResult>> rounds, TextWriter output)
    {
        var ratios = Ratios(results, rounds);
        if (ratios.Count == 0)
            return;
        output.WriteLine();
        output.WriteLine("ratios (items/s of the first over the second, and what that means in time):");
        foreach (var ratio in ratios)
        {
            var line = string.Create(CultureInfo.InvariantCulture,
                $"  {ratio.Scenario} vs {ratio.Baseline}: {ratio.ItemsPerSecondRatio:F2}x = {1 / ratio.ItemsPerSecondRatio:F2}x the time");
            if (ratio.PairedRounds > 1)
            {
                line += string.Create(CultureInfo.InvariantCulture,
                    $"; paired by round: median {ratio.PairedTimeRatioMedian:F2}x the time ({ratio.PairedTimeRatioLow:F2}x..{ratio.PairedTimeRatioHigh:F2}x over {ratio.PairedRounds} rounds)");
            }
            output.WriteLine(line);
        }
    }

    /// <summary>
    /// Every ratio a scenario declared (<see cref="IScenario.ComparesWith"/>) whose two sides both ran:
    /// the ratio of the median runs, and, over the rounds where both sides ran, the median and range of
    /// the per-round time ratios (a round runs the two close together, so drift of the machine cancels).
    /// </summary>
    public static List<ScenarioRatio> Ratios(IReadOnlyList<ScenarioResult> results, IReadOnlyDictionary<string, List<ScenarioResult>> rounds)
    {
        var ratios = new List<ScenarioRatio>();
        foreach (var result in results.Where(r => r.IsOk))
        {
            foreach (var baselineName in ScenarioCatalog.Find(result.Scenario)?.ComparesWith ?? [])
            {
                var baseline = results.FirstOrDefault(r => r.Scenario == baselineName && r.IsOk);
                if (baseline is null || baseline.ItemsPerSecond <= 0)
                    continue;
                var paired = PairedTimeRatios(rounds[result.Scenario], rounds[baselineName]);
                ratios.Add(new ScenarioRatio(result.Scenario, baselineName, result.ItemsPerSecond / baseline.ItemsPerSecond,
                    paired.Count,
                    paired.Count > 0 ? paired[(paired.Count - 1) / 2] : null,
                    paired.Count > 0 ? paired[0] : null,
                    paired.Count > 0 ? paired[^1] : null));
            }
        }
        return ratios;
    }

    /// <summary>Per round where both ran: the scenario's time per item over the baseline's, sorted.</summary>
    private static List<double> PairedTimeRatios(List<ScenarioResult> scenarioRuns, List<ScenarioResult> baselineRuns)
    {
        var ratios = new List<double>();
        foreach (var run in scenarioRuns.Where(r => r.IsOk && r.ItemsPerSecond > 0))
        {
            var baseline = baselineRuns.FirstOrDefault(b => b.Round == run.Round && b.IsOk && b.ItemsPerSecond > 0);
            if (baseline is not null)
                ratios.Add(baseline.ItemsPerSecond / run.ItemsPerSecond);
        }
        ratios.Sort();
        return ratios;
    }

    private static string NotesSuffix(ScenarioResult r) => r.Notes.Count > 0 ? " [" + string.Join("; ", r.Notes) + "]" : "";
}

/// <summary>
/// A declared comparison. <see cref="ItemsPerSecondRatio"/> compares the median runs; the paired figures
/// are time ratios (scenario over baseline, per item) from the rounds where both ran.
/// </summary>
internal sealed record ScenarioRatio(string Scenario, string Baseline, double ItemsPerSecondRatio,
    int PairedRounds, double? PairedTimeRatioMedian, double? PairedTimeRatioLow, double? PairedTimeRatioHigh);
