namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>What a check needs beyond a server that answers; a check whose needs are not met is reported as Skipped.</summary>
[Flags]
public enum CheckNeeds
{
    None = 0,

    /// <summary>Meta commands (memcached 1.6 and later).</summary>
    MetaCommands = 1,

    /// <summary>It waits for real time to pass (item expiry); runs only with -IncludeSlow.</summary>
    Slow = 2,

    /// <summary>It changes items that are not its own (flush_all); runs only with -Destructive.</summary>
    Destructive = 4,
}

/// <summary>
/// One check of Test-MemcacheNode: a name, a group, what is expected, and how to run it. Checks are data:
/// adding one is one small type in <c>Checks/</c> plus a line in <see cref="NodeCheckCatalog"/>. A check
/// works only on keys from <see cref="NodeCheckContext.Key"/> (the run's own prefix), returns a short
/// description of what it saw when it passes, throws <see cref="CheckFailedException"/> naming the step and
/// the reply when it fails, and <see cref="CheckSkippedException"/> when the server cannot be tested this way.
/// </summary>
public abstract class NodeCheck
{
    /// <summary>The kind of behaviour checked: Server, Text, Meta, Missing, Quiet, Pipeline, Keys, Flags, Values, Expiry, Counters, Destructive.</summary>
    public abstract string Group { get; }

    /// <summary>Unique within its group.</summary>
    public abstract string Name { get; }

    /// <summary>What a correct server does, in one line.</summary>
    public abstract string Expected { get; }

    public virtual CheckNeeds Needs => CheckNeeds.None;

    /// <summary>Runs the check; returns what was observed when it passed.</summary>
    public abstract Task<string> RunAsync(NodeCheckContext context, CancellationToken cancellationToken);

    public override string ToString() => Group + "/" + Name;
}

/// <summary>A check saw the server deviate; the message names the step and what came back.</summary>
public sealed class CheckFailedException(string message) : Exception(message);

/// <summary>The server cannot be checked this way (a feature it lacks, a setting it does not report).</summary>
public sealed class CheckSkippedException(string reason) : Exception(reason);
