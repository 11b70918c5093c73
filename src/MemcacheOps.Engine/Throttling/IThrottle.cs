namespace MemcacheOps.Engine.Throttling;

/// <summary>
/// Limits the operations and value bytes one server handles for an operation, so live traffic keeps its
/// share. Callers ask before sending a batch (its operations, and the value bytes it stores or is expected
/// to fetch) and the throttle delays them as needed; what a fetch really brought back is settled when its
/// replies have arrived.
/// </summary>
public interface IThrottle
{
    /// <summary>Waits until <paramref name="operations"/> requests moving <paramref name="bytes"/> value bytes may be sent.</summary>
    ValueTask WaitAsync(int operations, long bytes, CancellationToken cancellationToken);

    /// <summary>
    /// Books value bytes that moved beyond what was asked for (positive) or gives back bytes asked for that
    /// did not move (negative), once a batch's replies are in. Never waits: a debt delays the next request.
    /// </summary>
    void Settle(long bytes);
}

/// <summary>A throttle that never waits.</summary>
public sealed class Unthrottled : IThrottle
{
    public static readonly Unthrottled Instance = new();

    public ValueTask WaitAsync(int operations, long bytes, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void Settle(long bytes)
    {
    }
}
