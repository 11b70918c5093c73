using System.Runtime.InteropServices;

namespace MemcacheOps.Bench.Harness;

/// <summary>getrusage(2): CPU of this process, and of the child processes it has waited for.</summary>
internal static class NativeMethods
{
    public const int RusageSelf = 0;
    public const int RusageChildren = -1;

    /// <summary>User + system CPU seconds.</summary>
    public static double CpuSeconds(int who)
    {
        if (getrusage(who, out var usage) != 0)
            throw new InvalidOperationException($"getrusage failed with errno {Marshal.GetLastPInvokeError()}.");
        return usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6;
    }

    /// <summary>struct rusage on 64-bit Linux: two timevals, then 14 longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxRssKiB;
        public long SharedMemory;
        public long UnsharedData;
        public long UnsharedStack;
        public long MinorFaults;
        public long MajorFaults;
        public long Swaps;
        public long BlockInputs;
        public long BlockOutputs;
        public long MessagesSent;
        public long MessagesReceived;
        public long Signals;
        public long VoluntarySwitches;
        public long InvoluntarySwitches;
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int getrusage(int who, out RUsage usage);
}
