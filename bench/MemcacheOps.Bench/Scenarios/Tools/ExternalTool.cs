using System.Diagnostics;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Tools;

/// <summary>
/// Finds and runs another tool whose speed the project is compared with. Its standard output is read
/// by the harness (so items can be counted) and its standard error passes through.
/// </summary>
internal static class ExternalTool
{
    /// <summary>The first existing path among <paramref name="knownPaths"/>, then <paramref name="name"/> on PATH; null when absent.</summary>
    public static string? Find(string name, params string[] knownPaths)
    {
        foreach (var path in knownPaths)
        {
            if (File.Exists(path))
                return path;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>
    /// Runs the tool, hands its standard output to <paramref name="consume"/>, and waits for it to exit
    /// (so getrusage(RUSAGE_CHILDREN) includes its CPU). Killed when <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <remarks>
    /// Peak memory is sampled from /proc/&lt;pid&gt;/status (VmHWM) every 10 ms: getrusage's max RSS of a child
    /// cannot be used because a child forked from this .NET process inherits its RSS as a floor.
    /// </remarks>
    public static async Task<ToolRun<T>> RunAsync<T>(string file, IReadOnlyList<string> arguments,
        Func<StreamByteReader, CancellationToken, Task<T>> consume, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(() => SamplePeakRssAsync(process.Id, stopSampling.Token), CancellationToken.None);
        try
        {
            using var output = new StreamByteReader(process.StandardOutput.BaseStream, Path.GetFileName(file) + " output");
            var result = await consume(output, cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await stopSampling.CancelAsync();
            return new ToolRun<T>(process.ExitCode, result, await sampler);
        }
        finally
        {
            await stopSampling.CancelAsync();
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private static async Task<long> SamplePeakRssAsync(int pid, CancellationToken stop)
    {
        var path = $"/proc/{pid}/status";
        long peak = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        do
        {
            try
            {
                foreach (var line in File.ReadLines(path))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        var kib = line["VmHWM:".Length..].Trim().Replace(" kB", "", StringComparison.Ordinal);
                        peak = Math.Max(peak, long.Parse(kib, System.Globalization.CultureInfo.InvariantCulture) * 1024);
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // The process has exited (or not yet shown up): keep the peak seen so far.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        while (!stop.IsCancellationRequested && await WaitAsync(timer, stop));
        return peak;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>How a tool run ended, what its output consumer returned, and its sampled peak RSS.</summary>
internal sealed record ToolRun<T>(int ExitCode, T Output, long PeakRssBytes);
