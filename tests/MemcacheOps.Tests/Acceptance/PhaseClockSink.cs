using System.Diagnostics;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Tests.Acceptance;

/// <summary>
/// A collecting sink that notes when each progress phase was first seen (a Stopwatch timestamp) and
/// calls <paramref name="onPhase"/> with the phase of every snapshot. A move publishes each phase change
/// synchronously before starting the phase's work, so the timestamp precedes that work and an action
/// run here (stopping a client) completes before it.
/// </summary>
internal sealed class PhaseClockSink(Action<string>? onPhase = null) : IOperationSink
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _firstSeen = new(StringComparer.Ordinal);

    public CollectingSink Inner { get; } = new();

    /// <summary>When <paramref name="phase"/> was first published; fails the test when it never was.</summary>
    public long Started(string phase)
    {
        lock (_gate)
        {
            Assert.True(_firstSeen.TryGetValue(phase, out var timestamp), $"phase '{phase}' was never published; seen: {string.Join(" | ", _firstSeen.Keys)}");
            return timestamp;
        }
    }

    public ValueTask EmitAsync(object result, CancellationToken cancellationToken) => Inner.EmitAsync(result, cancellationToken);

    public void Error(MemcacheException error) => Inner.Error(error);

    public void Warning(string message) => Inner.Warning(message);

    public void Verbose(string message) => Inner.Verbose(message);

    public void Progress(ProgressSnapshot snapshot)
    {
        lock (_gate)
            _firstSeen.TryAdd(snapshot.Phase, Stopwatch.GetTimestamp());
        onPhase?.Invoke(snapshot.Phase);
    }
}
