namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>What the measured phase of a run leaves for the report: the histograms and counters, how long it lasted, why it stopped early.</summary>
internal sealed class LatencyOutcome
{
    public required LatencyTotals[] Totals { get; init; }
    public TimeSpan Measured { get; set; }
    public double? CpuMicrosecondsPerRequest { get; set; }
    public string? AbortReason { get; set; }
}
