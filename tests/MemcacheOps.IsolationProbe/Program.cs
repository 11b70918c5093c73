using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using MemcacheOps.Cmdlets.Loading;
using MemcacheOps.Engine.Adapters;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.IsolationProbe;

/// <summary>
/// Usage: MemcacheOps.IsolationProbe &lt;module folder&gt;. Prints one JSON object describing which copies of
/// YamlDotNet, AWSSDK.SQS, AWSSDK.Core and the engine each load context ended up with; the test asserts on it.
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

        // 1. "Other modules" use their YamlDotNet and their AWS SDK (as AWS.Tools.SQS does) first: they land in
        //    the default context.
        var defaultYaml = typeof(YamlDotNet.Serialization.Deserializer).Assembly;
        var defaultSqs = typeof(Amazon.SQS.AmazonSQSClient).Assembly;
        var defaultAwsCore = typeof(Amazon.Runtime.AWSCredentials).Assembly;
        //    And their HdrHistogram.
        var defaultHdr = typeof(HdrHistogram.HistogramBase).Assembly;

        // 2. The module's loader, as the cmdlets use it.
        var loader = AdapterLoader.ForModule(args[0]);
        var factory = loader.Factory;
        var description = factory.Describe();
        // Creating a work queue loads the adapters' AWSSDK.SQS (no request is sent: it only builds the client).
        using (factory.CreateCloudClientFactory().CreateWorkQueue(new CloudOptions
        {
            AccessKey = "AKIDPROBE",
            SecretKey = "probe-secret",
            EndpointUrl = "http://127.0.0.1:9",
            Region = "us-east-1",
        }))
        {
        }
        // Measure-MemcacheLatency's histograms: created in the private context, used through the engine's interfaces.
        var histograms = factory.CreateLatencyHistograms();
        var recorder = histograms.CreateRecorder();
        recorder.Record(1234);
        var histogram = histograms.CreateHistogram();
        recorder.TakeInterval(histogram);

        var adapterAssemblies = loader.Context.Assemblies.ToList();
        var adaptersYaml = adapterAssemblies.FirstOrDefault(a => a.GetName().Name == "YamlDotNet");
        var adaptersSqs = adapterAssemblies.FirstOrDefault(a => a.GetName().Name == "AWSSDK.SQS");
        var adaptersAwsCore = adapterAssemblies.FirstOrDefault(a => a.GetName().Name == "AWSSDK.Core");
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
            ["defaultSqsVersion"] = FileVersion(defaultSqs),
            ["defaultSqsContext"] = AssemblyLoadContext.GetLoadContext(defaultSqs)?.Name,
            ["adaptersSqsVersion"] = adaptersSqs is null ? null : FileVersion(adaptersSqs),
            ["adaptersSqsLocation"] = adaptersSqs?.Location,
            ["adaptersSqsContext"] = adaptersSqs is null ? null : AssemblyLoadContext.GetLoadContext(adaptersSqs)?.Name,
            ["defaultAwsCoreVersion"] = FileVersion(defaultAwsCore),
            ["adaptersAwsCoreVersion"] = adaptersAwsCore is null ? null : FileVersion(adaptersAwsCore),
            ["adaptersAwsCoreLocation"] = adaptersAwsCore?.Location,
            ["adaptersAwsCoreContext"] = adaptersAwsCore is null ? null : AssemblyLoadContext.GetLoadContext(adaptersAwsCore)?.Name,
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

    /// <summary>The AWS SDK keeps one assembly version per major release (4.0.0.0); its file version tells builds apart.</summary>
    private static string? FileVersion(Assembly assembly) => assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version;
}
