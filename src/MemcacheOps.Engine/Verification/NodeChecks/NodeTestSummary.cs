namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>The outcome of every check on one server: what -Quiet turns into one bool and the CLI prints last.</summary>
public sealed record NodeTestSummary
{
    public required string Server { get; init; }

    /// <summary>What the server answered to <c>version</c>; null when it could not be reached.</summary>
    public string? Version { get; init; }

    /// <summary>True when the server could be tested and no check failed (skipped checks do not count against it).</summary>
    public bool Passed => Error is null && FailedCount == 0;

    public int PassedCount { get; init; }

    public int FailedCount { get; init; }

    public int SkippedCount { get; init; }

    /// <summary>Group/Check of every failed check.</summary>
    public IReadOnlyList<string> FailedChecks { get; init; } = [];

    /// <summary>Why the checks could not run (or not all of them): the server could not be reached or stopped answering.</summary>
    public string? Error { get; init; }

    public TimeSpan Duration { get; init; }
}
