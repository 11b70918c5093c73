using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using MemcacheOps.Bench.Scenarios;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Harness;

/// <summary>
/// The harness proper: starts memcached, loads the reference set, runs each scenario as a child process
/// of this program (so its CPU and memory are its own), then reports.
/// </summary>
internal static class ParentRunner
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromMinutes(30);

    public static async Task<int> RunAsync(HarnessOptions options)
    {
        var scenarios = ScenarioCatalog.Resolve(options.Scenarios);
        if (scenarios.Count == 0)
        {
            Console.Error.WriteLine(HarnessOptions.Usage);
            return 2;
        }
        ReferenceDataSet.EnsureSupported();

        // With TLS scenarios the source also listens with TLS (memcached -Z, certificates from a CA made here);
        // the loader and the plain scenarios use its plain listener. Without them it is started as always.
        using var certificates = scenarios.Any(s => s.UsesTls) ? TestCertificates.Create() : null;
        await using var server = certificates is null
            ? MemcachedProcess.Start(memoryMb: options.MemoryMb)
            : MemcachedProcess.StartTls(certificates.Server, memoryMb: options.MemoryMb);
        var machine = MachineInfo.Describe(server);
        Console.WriteLine(machine.Summary);
        Console.WriteLine($"source: {server} ({server.Arguments})");

        var loaded = await DataSetLoader.LoadAsync(server, 0, options.Count, options.Seed, LoadTimeout);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loaded {loaded.Items:N0} items, {loaded.ValueBytes:N0} value bytes ({loaded.ValueBytes / 1048576.0:F1} MiB) in {loaded.Elapsed.TotalSeconds:F2} s ({loaded.Items / loaded.Elapsed.TotalSeconds:N0} items/s, generation included)"));
        // The raw listings send 'metadump hash' without looking at the server first; sent as the hash
        // table starts the growth this load made due, it would deadlock memcached (see HashTableGrowth).
        using (var connection = await MemcachedConnection.OpenAsync(server.ServerEndpoint, null, CancellationToken.None))
            await HashTableGrowth.WaitUntilSettledAsync(connection, null, new ListingOptions(), new CollectingSink(), CancellationToken.None);
        if (options.Verify)
        {
            var verified = await DataSetLoader.VerifyAsync(server, 0, options.Count, options.Seed, LoadTimeout);
            Console.WriteLine("verify: " + verified);
            if (!verified.IsComplete)
                return 1;
        }

        // With --repeat, the scenarios run in rounds (each scenario once per round) rather than one
        // scenario's repeats back to back: the machine's drift then falls on every scenario alike, and
        // each round gives a paired ratio of a scenario to its raw limit.
        var rounds = scenarios.ToDictionary(s => s.Name, _ => new List<ScenarioResult>());
        foreach (var scenario in scenarios)
            Console.WriteLine($"== {scenario.Name}: {scenario.Description}");
        for (var round = 1; round <= options.Repeat; round++)
        {
            if (options.Repeat > 1)
            {
                Console.WriteLine();
                Console.WriteLine($"-- round {round} of {options.Repeat}");
            }
            foreach (var scenario in scenarios)
            {
                var runs = rounds[scenario.Name];
                if (runs.Count > 0 && !runs[^1].IsOk)
                    continue;
                var run = await RunChildAsync(scenario, server, certificates, options);
                run.Round = round;
                runs.Add(run);
                Console.WriteLine(ResultReport.OneLine(run));
            }
        }
        var results = scenarios.Select(s => Median(rounds[s.Name])).ToList();

        Console.WriteLine();
        var loadAtEnd = MachineInfo.LoadAverage();
        Console.WriteLine($"load average at the end: {loadAtEnd}");
        ResultReport.PrintTable(results, Console.Out);
        ResultReport.PrintRatios(results, rounds, Console.Out);
        if (options.JsonPath is not null)
        {
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(new
            {
                machine,
                loadAverageAtEnd = loadAtEnd,
                count = options.Count,
                seed = options.Seed,
                connections = options.Connections,
                window = options.Window,
                repeat = options.Repeat,
                batch = options.BatchSize,
                load = new { loaded.Items, loaded.ValueBytes, seconds = loaded.Elapsed.TotalSeconds },
                results,
                ratios = ResultReport.Ratios(results, rounds),
            }, ResultReport.JsonOptions));
            Console.WriteLine($"results written to {options.JsonPath}");
        }
        return results.Any(r => r.Status == "failed") ? 1 : 0;
    }

    /// <summary>The median run by items/s (the first failure or skip, if any), noting the spread of the others.</summary>
    private static ScenarioResult Median(List<ScenarioResult> runs)
    {
        var notOk = runs.FirstOrDefault(r => !r.IsOk);
        if (notOk is not null || runs.Count == 1)
            return notOk ?? runs[0];
        var ordered = runs.OrderBy(r => r.ItemsPerSecond).ToList();
        var median = ordered[(ordered.Count - 1) / 2];
        median.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"median of {runs.Count} runs ({ordered[0].ItemsPerSecond:N0}..{ordered[^1].ItemsPerSecond:N0} items/s)"));
        median.RunsItemsPerSecond = [.. runs.Select(r => r.ItemsPerSecond)];
        return median;
    }

    private static async Task<ScenarioResult> RunChildAsync(IScenario scenario, MemcachedProcess server, TestCertificates? certificates, HarnessOptions options)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "memcacheops-bench",
            string.Create(CultureInfo.InvariantCulture, $"{scenario.Name}-{Environment.ProcessId}"));
        var resultPath = scratch + ".result.json";
        Directory.CreateDirectory(scratch);
        File.Delete(resultPath);
        var itemsBefore = server.Stat("curr_items");
        var serverCpuBefore = ServerStats.Cpu(server.IPEndPoint);
        try
        {
            var clock = Stopwatch.StartNew();
            var childArguments = options.ChildArguments(scenario.Name, server.Endpoint, scratch, resultPath,
                certificates is null ? null : server.TlsServerEndpoint.ToString(), certificates?.Folder);
            var exitCode = await RunSelfAsync(childArguments, options.Timeout + TimeSpan.FromMinutes(1));
            var processWall = clock.Elapsed.TotalSeconds;
            var serverCpu = ServerStats.Cpu(server.IPEndPoint) - serverCpuBefore;

            ScenarioResult result;
            if (File.Exists(resultPath))
                result = JsonSerializer.Deserialize<ScenarioResult>(await File.ReadAllTextAsync(resultPath), ResultReport.JsonOptions)!;
            else
                result = ScenarioResult.Failed(scenario.Name, exitCode is null ? "killed: the child process exceeded the time limit" : $"child process exited with code {exitCode} (its error is above)");
            result.ProcessWallSeconds = processWall;
            result.ServerCpuSeconds = serverCpu;
            var itemsAfter = server.Stat("curr_items");
            if (itemsAfter != itemsBefore)
                result.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"the source server's item count changed from {itemsBefore} to {itemsAfter}"));
            return result;
        }
        finally
        {
            File.Delete(resultPath);
            if (!options.KeepScratch)
                Directory.Delete(scratch, recursive: true);
            else
                Console.WriteLine($"scratch kept: {scratch}");
        }
    }

    /// <summary>Runs this program again with <paramref name="arguments"/>; returns its exit code, or null if it had to be killed.</summary>
    private static async Task<int?> RunSelfAsync(IEnumerable<string> arguments, TimeSpan limit)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which program is running.");
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.Ordinal))
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location); // started as "dotnet MemcacheOps.Bench.dll"
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var child = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {host}.");
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await child.WaitForExitAsync(deadline.Token);
            return child.ExitCode;
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(CancellationToken.None);
            return null;
        }
    }
}
