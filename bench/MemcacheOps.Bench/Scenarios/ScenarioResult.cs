namespace MemcacheOps.Bench.Scenarios;

/// <summary>What one scenario did and what it cost. Rates are derived, so they cannot disagree with the totals.</summary>
internal sealed class ScenarioResult
{
    public string Scenario { get; set; } = "";

    /// <summary>"ok", "skipped" (could not run here, e.g. a tool is not installed) or "failed"; <see cref="Notes"/> says why.</summary>
    public string Status { get; set; } = "ok";

    public bool IsOk => Status == "ok";

    public long Items { get; init; }

    /// <summary>Bytes of the work's payload (value bytes for fetch/store, listing bytes for key listings).</summary>
    public long Bytes { get; init; }

    /// <summary>Wall time of the measured work, without process start-up or untimed preparation.</summary>
    public double WallSeconds { get; init; }

    /// <summary>User + system CPU of the measured work (of the external tool, for tool scenarios).</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Time spent inside the JIT while the work was measured (in-process only): elapsed time per compilation summed over threads, so not a share of <see cref="CpuSeconds"/>.</summary>
    public double JitSeconds { get; init; }

    /// <summary>Methods compiled while the work was measured: first calls without ReadyToRun code, and tier-ups.</summary>
    public long JittedMethods { get; init; }

    /// <summary>Peak resident memory: the scenario process's VmHWM, or the external tool's (sampled) VmHWM.</summary>
    public long PeakRssBytes { get; set; }

    /// <summary>"in-process" or "external tool": whose CPU and memory were measured.</summary>
    public string Measured { get; init; } = "";

    /// <summary>Wall time of the whole child process including .NET start-up; filled in by the parent.</summary>
    public double ProcessWallSeconds { get; set; }

    /// <summary>CPU the source memcached spent during the child process (stats rusage); filled in by the parent.</summary>
    public double ServerCpuSeconds { get; set; }

    public List<string> Notes { get; init; } = [];

    /// <summary>Items/s of every run when the scenario was repeated (--repeat); this result is their median.</summary>
    public List<double>? RunsItemsPerSecond { get; set; }

    /// <summary>Which round of a --repeat run this was (1 for a single run); set by the parent.</summary>
    public int Round { get; set; } = 1;

    public double ItemsPerSecond => WallSeconds > 0 ? Items / WallSeconds : 0;

    public double MiBPerSecond => WallSeconds > 0 ? Bytes / WallSeconds / (1024 * 1024) : 0;

    public static ScenarioResult Skipped(string scenario, string reason)
        => new() { Scenario = scenario, Status = "skipped", Notes = [reason] };

    public static ScenarioResult Failed(string scenario, string reason)
        => new() { Scenario = scenario, Status = "failed", Notes = [reason] };
}
