using System.Text.Json;
using MemcacheOps.Bench.Scenarios;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Harness;

/// <summary>Runs one scenario in this process (started by the parent) and writes its result as JSON.</summary>
internal static class ChildRunner
{
    public static async Task<int> RunAsync(HarnessOptions options)
    {
        var scenario = ScenarioCatalog.Find(options.ChildScenario!)
            ?? throw new ArgumentException($"Unknown scenario '{options.ChildScenario}'.");
        if (options.Server is null || options.ScratchDirectory is null || options.ResultPath is null)
            throw new ArgumentException("--child needs --server, --scratch and --result.");

        using var certificates = options.TlsFolder is null ? null : TestCertificates.Open(options.TlsFolder);
        await using var context = new ScenarioContext
        {
            Servers = ServerEndpoint.ParseList([options.Server]),
            TlsSource = options.TlsServer is null ? null : ServerEndpoint.Parse(options.TlsServer),
            Certificates = certificates,
            Count = options.Count,
            Seed = options.Seed,
            Connections = options.Connections,
            Window = options.Window,
            BatchSize = options.BatchSize,
            ServerMemoryMb = options.MemoryMb,
            ScratchDirectory = options.ScratchDirectory,
            Options = options.ScenarioOptions,
        };
        using var deadline = new CancellationTokenSource(options.Timeout);
        ScenarioResult result;
        try
        {
            result = await scenario.RunAsync(context, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            result = ScenarioResult.Failed(scenario.Name, $"did not finish within {options.Timeout.TotalSeconds:0} s");
        }
        result.Scenario = scenario.Name;
        await File.WriteAllTextAsync(options.ResultPath, JsonSerializer.Serialize(result, ResultReport.JsonOptions));
        return result.Status == "failed" ? 1 : 0;
    }
}
