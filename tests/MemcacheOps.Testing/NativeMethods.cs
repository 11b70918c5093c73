using System.Runtime.InteropServices;

namespace MemcacheOps.Testing;

/// <summary>POSIX calls .NET does not expose: sending SIGTERM, SIGSTOP and SIGCONT (Process.Kill only sends SIGKILL).</summary>
internal static class NativeMethods
{
    public const int SigTerm = 15;

    /// <summary>SIGSTOP: freezes a process (a hung host, as its peers see it); its listening socket still accepts.</summary>
    public static int SigStop => OperatingSystem.IsMacOS() ? 17 : 19;

    /// <summary>SIGCONT: resumes a stopped process.</summary>
    public static int SigCont => OperatingSystem.IsMacOS() ? 19 : 18;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; a process that already exited is not an error.</summary>
    public static void SendSignal(int pid, int signal)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            throw new PlatformNotSupportedException("Stopping memcached needs a POSIX system.");
        _ = kill(pid, signal);
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int kill(int pid, int sig);
}
