using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios.Tools;

/// <summary>
/// Finds and runs another tool whose speed the project is compared with, and samples its peak memory.
/// Its standard error passes through; its standard output is either read by the harness (to count what
/// it printed) or sent to /dev/null (when reading it would cost more than the tool itself).
/// </summary>
/// <remarks>
/// Peak memory is sampled from /proc/&lt;pid&gt;/status (VmHWM) every 10 ms: getrusage's max RSS of a child
/// cannot be used because a child forked from this .NET process inherits its RSS as a floor. CPU is taken
/// from getrusage(RUSAGE_CHILDREN), which is exact once the tool has been waited for.
/// </remarks>
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

    /// <summary>Runs the tool with its standard output handed to <paramref name="consume"/>.</summary>
    public static Task<ToolRun<T>> RunReadingOutputAsync<T>(string file, IReadOnlyList<string> arguments,
        Func<StreamByteReader, CancellationToken, Task<T>> consume, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        return RunAsync(info, consume, cancellationToken);
    }

    /// <summary>Runs the tool as <c>tool args &gt; /dev/null</c> (through <c>sh -c 'exec ...'</c>, so the measured process is the tool).</summary>
    public static async Task<ToolRun<bool>> RunDiscardingOutputAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" > /dev/null");
        info.ArgumentList.Add(file);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        return await RunAsync<bool>(info, null, cancellationToken);
    }

    private static async Task<ToolRun<T>> RunAsync<T>(ProcessStartInfo info,
        Func<StreamByteReader, CancellationToken, Task<T>>? consume, CancellationToken cancellationToken)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(() => SamplePeakRssAsync(process.Id, stopSampling.Token), CancellationToken.None);
        try
        {
            T result = default!;
            if (consume is not null)
            {
                using var output = new StreamByteReader(process.StandardOutput.BaseStream, Path.GetFileName(info.FileName) + " output");
                result = await consume(output, cancellationToken);
            }
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
            peak = Math.Max(peak, ReadHighWaterMark(path));
        }
        while (!stop.IsCancellationRequested && await WaitAsync(timer, stop));
        return peak;
    }

    private static long ReadHighWaterMark(string statusPath)
    {
        try
        {
            foreach (var line in File.ReadLines(statusPath))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            // The process has exited (or its memory is already released): keep the peak seen so far.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
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
