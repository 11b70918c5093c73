using System.Globalization;

namespace MemcacheOps.Engine.Diagnostics;

/// <summary>The process's peak resident memory (VmHWM on Linux), which results report against the memory limit.</summary>
public static class PeakMemory
{
    public static long Bytes()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                foreach (var line in File.ReadLines("/proc/self/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        var digits = new string(line.Where(char.IsAsciiDigit).ToArray());
                        return long.Parse(digits, CultureInfo.InvariantCulture) * 1024;
                    }
                }
            }
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return process.PeakWorkingSet64;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }
}
