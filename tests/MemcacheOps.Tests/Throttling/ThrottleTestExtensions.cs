using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Tests.Throttling;

internal static class ThrottleTestExtensions
{
    /// <summary>Asks the throttle once and keeps the answer as a Task, which tests may inspect repeatedly (a ValueTask may be consumed only once).</summary>
    public static Task Ask(this IThrottle throttle, int operations, long bytes, CancellationToken cancellationToken)
        => throttle.WaitAsync(operations, bytes, cancellationToken).AsTask();
}
