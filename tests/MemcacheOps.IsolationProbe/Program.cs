using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using MemcacheOps.Cmdlets.Loading;
using MemcacheOps.Engine.Adapters;

namespace MemcacheOps.IsolationProbe;

/// <summary>
/// Usage: MemcacheOps.IsolationProbe &lt;module folder&gt;. Prints one JSON object describing which copies of
/// YamlDotNet and the engine each load context ended up with; the test asserts on it.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: MemcacheOps.IsolationProbe <module folder>");
            return 2;
        }

        // 1. "Another module" uses its YamlDotNet and HdrHistogram first: they land in the default context.
        var defaultYaml = typeof(YamlDotNet.Serialization.Deserializer).Assembly;
        var defaultHdr = typeof(HdrHistogram.HistogramBase).Assembly;

        // 2. The module's loader, as the cmdlets use it.
        var loader = AdapterLoader.ForModule(args[0]);
        var factory = loader.Factory;
        var description = factory.Describe();
        // Measure-MemcacheLatency's histograms: created in the private context, used through the engine's interfaces.
        var histograms = factory.CreateLatencyHistograms();
        var recorder = histograms.CreateRecorder();
        recorder.Record(1234);
        var histogram = histograms.CreateHistogram();
        recorder.TakeInterval(histogram);

        var adapterAssemblies = loader.Context.Assemblies.ToList();
        var adaptersYaml = adapterAssemblies.FirstOrDefault(a => a.GetName().Name == "YamlDotNet");
        var adaptersHdr = adapterAssemblies.FirstOrDefault(a => a.GetName().Name == "HdrHistogram");
        var engine = typeof(IAdapterFactory).Assembly;
        var engineSeenByFactory = factory.GetType().GetInterfaces().Single(i => i.FullName == typeof(IAdapterFactory).FullName).Assembly;
        var engineResolvedByContext = loader.Context.LoadFromAssemblyName(new AssemblyName(engine.GetName().Name!));

        var report = new Dictionary<string, object?>
        {
            ["defaultYamlVersion"] = defaultYaml.GetName().Version?.ToString(),
            ["defaultYamlContext"] = AssemblyLoadContext.GetLoadContext(defaultYaml)?.Name,
            ["adaptersYamlVersion"] = adaptersYaml?.GetName().Version?.ToString(),
            ["adaptersYamlLocation"] = adaptersYaml?.Location,
            ["adaptersYamlContext"] = adaptersYaml is null ? null : AssemblyLoadContext.GetLoadContext(adaptersYaml)?.Name,
            ["sameYamlInstance"] = ReferenceEquals(defaultYaml, adaptersYaml),
            ["defaultHdrContext"] = AssemblyLoadContext.GetLoadContext(defaultHdr)?.Name,
            ["adaptersHdrContext"] = adaptersHdr is null ? null : AssemblyLoadContext.GetLoadContext(adaptersHdr)?.Name,
            ["adaptersHdrLocation"] = adaptersHdr?.Location,
            ["sameHdrInstance"] = ReferenceEquals(defaultHdr, adaptersHdr),
            ["histogramsContext"] = AssemblyLoadContext.GetLoadContext(histograms.GetType().Assembly)?.Name,
            ["histogramCount"] = histogram.Count,
            ["factoryType"] = factory.GetType().FullName,
            ["factoryContext"] = AssemblyLoadContext.GetLoadContext(factory.GetType().Assembly)?.Name,
            ["engineContext"] = AssemblyLoadContext.GetLoadContext(engine)?.Name,
            ["engineSameInstanceForFactory"] = ReferenceEquals(engine, engineSeenByFactory),
            ["engineSameInstanceByName"] = ReferenceEquals(engine, engineResolvedByContext),
            ["engineInAdaptersContext"] = adapterAssemblies.Any(a => a.GetName().Name == engine.GetName().Name),
            ["adaptersInDefaultContext"] = AssemblyLoadContext.Default.Assemblies.Any(a => a.GetName().Name == AdapterLoader.AdaptersAssembly),
            ["adaptersContextAssemblies"] = adapterAssemblies.Select(a => $"{a.GetName().Name} {a.GetName().Version}").Order(StringComparer.Ordinal).ToList(),
            ["description"] = description,
        };
        Console.WriteLine(JsonSerializer.Serialize(report));
        return 0;
    }
}
