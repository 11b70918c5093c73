using System.Diagnostics;

namespace MemcacheOps.Testing;

/// <summary>
/// Servers started by this process that are still running. When the process exits without stopping them
/// (a crashed or aborted test run), they are killed so no orphan memcached keeps a port and memory.
/// </summary>
internal static class ChildProcessRegistry
{
    private static readonly HashSet<Process> Running = [];
    private static int _hooked;

    public static void Add(Process process)
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        lock (Running)
            Running.Add(process);
    }

    public static void Remove(Process process)
    {
        lock (Running)
            Running.Remove(process);
    }

    private static void KillAll()
    {
        Process[] left;
        lock (Running)
        {
            left = [.. Running];
            Running.Clear();
        }
        foreach (var process in left)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        }
    }
}
