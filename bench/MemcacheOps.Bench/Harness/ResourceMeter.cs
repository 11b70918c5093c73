using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Bench.Scenarios;

namespace MemcacheOps.Bench.Harness;

/// <summary>
/// Measures one scenario's work: wall time, CPU (user + system) and peak memory. In-process work is
/// charged this process's CPU and VmHWM; work done by an external tool is charged the CPU of the child
/// processes waited for while the meter ran, and its peak memory is filled in from
/// <see cref="Scenarios.Tools.ExternalTool"/>'s sampling (a forked child's max RSS includes this process's).
/// </summary>
internal sealed class ResourceMeter
{
    private readonly bool _external;
    private readonly Stopwatch _clock;
    private readonly double _cpuAtStart;
    private readonly TimeSpan _jitAtStart;
    private readonly long _jittedAtStart;

    private ResourceMeter(bool external)
    {
        _external = external;
        _jitAtStart = System.Runtime.JitInfo.GetCompilationTime();
        _jittedAtStart = System.Runtime.JitInfo.GetCompiledMethodCount();
        _cpuAtStart = Cpu(external);
        _clock = Stopwatch.StartNew();
    }

    /// <summary>Starts measuring work done by this process (call after untimed preparation).</summary>
    public static ResourceMeter StartInProcess() => new(external: false);

    /// <summary>Starts measuring work done by tools this process starts and waits for.</summary>
    public static ResourceMeter StartExternal() => new(external: true);

    public TimeSpan Elapsed => _clock.Elapsed;

    public ScenarioResult Finish(long items, long bytes, params string[] notes)
    {
        var wall = _clock.Elapsed.TotalSeconds;
        var cpu = Cpu(_external) - _cpuAtStart;
        var rss = _external ? 0 : PeakRssOfThisProcess();
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount() - _jittedAtStart;
        var jit = (System.Runtime.JitInfo.GetCompilationTime() - _jitAtStart).TotalSeconds;
        return new ScenarioResult
        {
            // Methods compiled while measuring (first calls without ReadyToRun code, and tier-ups) and the
            // time spent inside the compiler: elapsed time per compilation, summed over threads, so on a busy
            // machine it includes waiting for a core and is not a share of the CPU figure.
            JitSeconds = _external ? 0 : jit,
            JittedMethods = _external ? 0 : jitted,
            Items = items,
            Bytes = bytes,
            WallSeconds = wall,
            CpuSeconds = cpu,
            PeakRssBytes = rss,
            Measured = _external ? "external tool" : "in-process",
            Notes = [.. notes],
        };
    }

    /// <summary>VmHWM from /proc/self/status: the peak resident set of this process so far.</summary>
    public static long PeakRssOfThisProcess()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal))
                continue;
            var kib = line["VmHWM:".Length..].Trim();
            if (kib.EndsWith(" kB", StringComparison.Ordinal))
                kib = kib[..^3];
            return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    private static double Cpu(bool external)
        => NativeMethods.CpuSeconds(external ? NativeMethods.RusageChildren : NativeMethods.RusageSelf);
}
