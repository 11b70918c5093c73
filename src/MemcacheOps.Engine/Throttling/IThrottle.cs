namespace MemcacheOps.Engine.Throttling;

/// <summary>
/// Limits the rate of operations and bytes sent to one server so live traffic keeps its share.
/// Callers ask before sending a batch; the throttle delays them as needed.
/// </summary>
public interface IThrottle
{
    ValueTask WaitAsync(int operations, long bytes, CancellationToken cancellationToken);
}

/// <summary>A throttle that never waits.</summary>
public sealed class Unthrottled : IThrottle
{
    public static readonly Unthrottled Instance = new();

    public ValueTask WaitAsync(int operations, long bytes, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
