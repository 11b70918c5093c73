using System.Diagnostics;
using MemcacheOps.Testing;

namespace MemcacheOps.Tests.Move;

/// <summary>
/// Measures how fast a server counter (cmd_get, bytes_written...) grows while an operation runs, over
/// the steady part only: from the first sample after it started moving to the last sample before it
/// stopped, so start-up work (connecting, listing, JIT) does not dilute the rate a throttle holds.
/// </summary>
internal static class StatRate
{
    public static async Task<(double PerSecond, TimeSpan Window)> MeasureAsync(MemcachedProcess server, string stat, Task running)
    {
        var samples = new List<(TimeSpan At, long Value)>();
        var clock = Stopwatch.StartNew();
        while (!running.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            samples.Add((clock.Elapsed, MoveVerifier.Stat(server, stat)));
            await Task.WhenAny(running, Task.Delay(200));
        }
        await running;
        var final = MoveVerifier.Stat(server, stat);
        var first = samples.FindIndex(s => s.Value > samples[0].Value);
        var last = samples.FindLastIndex(s => s.Value < final);
        if (first < 0 || last - first < 5)
            throw new InvalidOperationException($"{stat} moved for too short a time to measure a rate ({samples.Count} samples).");
        var window = samples[last].At - samples[first].At;
        return ((samples[last].Value - samples[first].Value) / window.TotalSeconds, window);
    }
}
