using MemcacheOps.Bench.Harness;
using MemcacheOps.Bench.Scenarios;

// Benchmark harness: see docs/performance.md. Without --child this is the parent run (servers, data set,
// report); with --child it runs one scenario in its own process and writes the result for the parent.
HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(HarnessOptions.Usage);
    return 2;
}

if (options.List)
{
    foreach (var scenario in ScenarioCatalog.All)
        Console.WriteLine($"{scenario.Name,-16} {scenario.Description}");
    foreach (var (group, members) in ScenarioCatalog.Groups)
        Console.WriteLine($"{group,-16} group: {string.Join(", ", members)}");
    return 0;
}

try
{
    return options.ChildScenario is null
        ? await ParentRunner.RunAsync(options)
        : await ChildRunner.RunAsync(options);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
