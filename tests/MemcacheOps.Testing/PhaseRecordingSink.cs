using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Testing;

/// <summary>
/// A collecting sink that notes when each progress phase was first seen (a Stopwatch timestamp), for
/// tests that act on a phase and for benchmarks that report where the time went. A move publishes each
/// phase change at once, before the phase's work, so <paramref name="onPhase"/> (called with the phase
/// of every snapshot and waited for) completes before that work starts. It is called for every snapshot,
/// on the thread that published it: the engine's for a phase change, the progress timer's a few times a
/// second, possibly first; an action meant to happen once must make every caller wait for that one run.
/// </summary>
public sealed class PhaseRecordingSink(Func<string, Task>? onPhase = null, Action<object>? onResult = null) : IOperationSink
{
    private readonly long _created = Stopwatch.GetTimestamp();
    private readonly object _gate = new();
    private readonly List<(string Phase, long At)> _phases = [];

    public CollectingSink Inner { get; } = new();

    /// <summary>When <paramref name="phase"/> was first published; throws when it never was.</summary>
    public long Started(string phase)
    {
        lock (_gate)
        {
            foreach (var (name, at) in _phases)
            {
                if (name == phase)
                    return at;
            }
            throw new InvalidOperationException($"Phase '{phase}' was never published; seen: {string.Join(" | ", _phases.Select(p => p.Phase))}.");
        }
    }

    /// <summary>"start a s, phase b s, ...": the time before the first phase, then each phase until the next or <paramref name="end"/>.</summary>
    public string Describe(long end)
    {
        lock (_gate)
        {
            var parts = new List<string>();
            var (previousName, previous) = ("start", _created);
            foreach (var (phase, at) in _phases)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{previousName} {Stopwatch.GetElapsedTime(previous, at).TotalSeconds:F3} s"));
                (previousName, previous) = (phase, at);
            }
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{previousName} {Stopwatch.GetElapsedTime(previous, end).TotalSeconds:F3} s"));
            return string.Join(", ", parts);
        }
    }

    public ValueTask EmitAsync(object result, CancellationToken cancellationToken)
    {
        onResult?.Invoke(result);
        return Inner.EmitAsync(result, cancellationToken);
    }

    public void Error(MemcacheException error) => Inner.Error(error);

    public void Warning(string message) => Inner.Warning(message);

    public void Verbose(string message) => Inner.Verbose(message);

    public void Progress(ProgressSnapshot snapshot)
    {
        lock (_gate)
        {
            if (!_phases.Exists(p => p.Phase == snapshot.Phase))
                _phases.Add((snapshot.Phase, Stopwatch.GetTimestamp()));
        }
        onPhase?.Invoke(snapshot.Phase).GetAwaiter().GetResult();
    }
}
