using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Bench.Harness;

/// <summary>
/// Notes when each progress phase of an operation began, so a scenario can report where its wall time
/// went (for a move: preflight, copy, residual listing). Phases arrive in order; progress is published
/// at each phase change, so the first snapshot of a phase marks its start.
/// </summary>
internal sealed class PhaseTimingSink : IOperationSink
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly List<(string Phase, long At)> _phases = [];

    public ValueTask EmitAsync(object result, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void Error(MemcacheException error)
    {
    }

    public void Warning(string message)
    {
    }

    public void Verbose(string message)
    {
    }

    public void Progress(ProgressSnapshot snapshot)
    {
        lock (_phases)
        {
            if (_phases.Count == 0 || _phases[^1].Phase != snapshot.Phase)
                _phases.Add((snapshot.Phase, Stopwatch.GetTimestamp()));
        }
    }

    /// <summary>"phase a.aa s, phase b.bb s, ..." up to <paramref name="end"/> (a Stopwatch timestamp).</summary>
    public string Describe(long end)
    {
        lock (_phases)
        {
            var parts = new List<string>();
            var previous = _start;
            var previousName = "start";
            foreach (var (phase, at) in _phases)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{previousName} {Stopwatch.GetElapsedTime(previous, at).TotalSeconds:F3} s"));
                previous = at;
                previousName = phase;
            }
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{previousName} {Stopwatch.GetElapsedTime(previous, end).TotalSeconds:F3} s"));
            return string.Join(", ", parts);
        }
    }
}
