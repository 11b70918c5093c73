namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>How a check ended.</summary>
public enum CheckOutcome
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>One check on one server (Test-MemcacheNode / <c>memcacheops test</c>).</summary>
public sealed record NodeCheckResult
{
    /// <summary>The server as host:port.</summary>
    public required string Server { get; init; }

    public required string Group { get; init; }

    public required string Check { get; init; }

    public required CheckOutcome Result { get; init; }

    /// <summary>What a correct server does.</summary>
    public required string Expected { get; init; }

    /// <summary>What this server did: a summary when it passed, the step and the reply that differed when it failed, the reason when skipped.</summary>
    public required string Actual { get; init; }

    public required TimeSpan Duration { get; init; }
}
