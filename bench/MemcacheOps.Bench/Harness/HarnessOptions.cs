using System.Globalization;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Harness;

/// <summary>Command-line options of the harness, shared by the parent run and the per-scenario child runs.</summary>
internal sealed class HarnessOptions
{
    public const string Usage = """
        Usage: MemcacheOps.Bench <scenario|group>... [options]
               MemcacheOps.Bench --list

        Starts memcached (-m 4096), loads the reference data set, runs each scenario in a child process
        and prints wall time, CPU, peak RSS and rates.

        Options:
          --count N          items of the reference set to load and use (default 200000)
          --seed N           data set seed (default 20240601)
          --connections N    connections per server for scenarios that use several (default 1)
          --window N         batches in flight per connection (default 4)
          --batch N          keys per batch (default 100)
          --memory-mb N      memory of the memcached servers started (default 4096)
          --opt name=value   scenario-specific setting (repeatable)
          --json FILE        also write the results as JSON
          --verify           verify the loaded set (multi-get every key) before running scenarios
          --keep-scratch     keep the scenarios' scratch directories
          --repeat N         run N rounds, each scenario once per round; report medians and paired ratios (default 1)
          --timeout S        per-scenario time limit in seconds (default 900)
          --list             list the scenarios and groups
        """;

    public List<string> Scenarios { get; } = [];

    public long Count { get; private set; } = ReferenceDataSet.DefaultCount;

    public int Seed { get; private set; } = ReferenceDataSet.DefaultSeed;

    public int Connections { get; private set; } = 1;

    public int Window { get; private set; } = 4;

    public int BatchSize { get; private set; } = 100;

    public int MemoryMb { get; private set; } = 4096;

    public Dictionary<string, string> ScenarioOptions { get; } = new(StringComparer.Ordinal);

    public string? JsonPath { get; private set; }

    public bool Verify { get; private set; }

    public bool KeepScratch { get; private set; }

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(900);

    public int Repeat { get; private set; } = 1;

    public bool List { get; private set; }

    // Set only on child runs (by the parent).
    public string? ChildScenario { get; private set; }

    public string? Server { get; private set; }

    public string? ScratchDirectory { get; private set; }

    public string? ResultPath { get; private set; }

    /// <summary>The source's TLS listener (child runs of a run with TLS scenarios).</summary>
    public string? TlsServer { get; private set; }

    /// <summary>The folder of the test certificates the parent made (child runs of a run with TLS scenarios).</summary>
    public string? TlsFolder { get; private set; }

    public static HarnessOptions Parse(IReadOnlyList<string> args)
    {
        var options = new HarnessOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            int Number(int min) => ParseNumber(arg, Value(), min);
            switch (arg)
            {
                case "--count": options.Count = Number(1); break;
                case "--seed": options.Seed = ParseNumber(arg, Value(), int.MinValue); break;
                case "--connections": options.Connections = Number(1); break;
                case "--window": options.Window = Number(1); break;
                case "--batch": options.BatchSize = Number(1); break;
                case "--memory-mb": options.MemoryMb = Number(64); break;
                case "--timeout": options.Timeout = TimeSpan.FromSeconds(Number(1)); break;
                case "--repeat": options.Repeat = Number(1); break;
                case "--json": options.JsonPath = Value(); break;
                case "--verify": options.Verify = true; break;
                case "--keep-scratch": options.KeepScratch = true; break;
                case "--list": options.List = true; break;
                case "--opt":
                    var pair = Value();
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                        throw new ArgumentException($"--opt expects name=value, got '{pair}'.");
                    options.ScenarioOptions[pair[..eq]] = pair[(eq + 1)..];
                    break;
                case "--child": options.ChildScenario = Value(); break;
                case "--server": options.Server = Value(); break;
                case "--scratch": options.ScratchDirectory = Value(); break;
                case "--result": options.ResultPath = Value(); break;
                case "--tls-server": options.TlsServer = Value(); break;
                case "--tls-folder": options.TlsFolder = Value(); break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal))
                        throw new ArgumentException($"Unknown option {arg}.");
                    options.Scenarios.Add(arg);
                    break;
            }
        }
        return options;
    }

    /// <summary>The arguments that make a child run <paramref name="scenario"/> with the same settings.</summary>
    public List<string> ChildArguments(string scenario, string server, string scratch, string resultPath, string? tlsServer = null, string? tlsFolder = null)
    {
        var args = new List<string>
        {
            "--child", scenario, "--server", server, "--scratch", scratch, "--result", resultPath,
            "--count", Count.ToString(CultureInfo.InvariantCulture),
            "--seed", Seed.ToString(CultureInfo.InvariantCulture),
            "--connections", Connections.ToString(CultureInfo.InvariantCulture),
            "--window", Window.ToString(CultureInfo.InvariantCulture),
            "--batch", BatchSize.ToString(CultureInfo.InvariantCulture),
            "--memory-mb", MemoryMb.ToString(CultureInfo.InvariantCulture),
            "--timeout", ((int)Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        };
        if (tlsServer is not null && tlsFolder is not null)
            args.AddRange(["--tls-server", tlsServer, "--tls-folder", tlsFolder]);
        foreach (var (name, value) in ScenarioOptions)
        {
            args.Add("--opt");
            args.Add(name + "=" + value);
        }
        return args;
    }

    private static int ParseNumber(string option, string text, int min)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new ArgumentException($"{option} expects a whole number of at least {min}, got '{text}'.");
        return value;
    }
}
