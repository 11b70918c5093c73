using System.Runtime.InteropServices;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Harness;

/// <summary>What the numbers were measured on; printed and written into the JSON report.</summary>
internal sealed record MachineInfo(int Cores, string Cpu, string Os, string Runtime, string Memcached, string LoadAverageAtStart)
{
    public string Summary => $"machine: {Cores} cores ({Cpu}), {Os}, {Runtime}, {Memcached} on the same cores; load average {LoadAverageAtStart}";

    /// <summary>1, 5 and 15 minute load averages: other work on the machine skews every figure.</summary>
    public static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static MachineInfo Describe(MemcachedProcess server)
    {
        var cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (model is not null)
                cpu = model[(model.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        var version = server.Send("version\r\n").Trim().Replace("VERSION ", "memcached ", StringComparison.Ordinal);
        return new MachineInfo(Environment.ProcessorCount, cpu, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, version, LoadAverage());
    }
}
