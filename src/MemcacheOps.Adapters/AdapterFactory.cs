using System.Reflection;
using System.Runtime.Loader;
using MemcacheOps.Adapters.Config;
using MemcacheOps.Engine.Adapters;
using MemcacheOps.Engine.Config;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Adapters.Latency;
using MemcacheOps.Engine.Verification.Latency;

namespace MemcacheOps.Adapters;

/// <summary>
/// Entry point of the adapters assembly: the module's private load context creates this class by name and
/// uses it only as <see cref="IAdapterFactory"/>. It must stay public, sealed and parameterless-constructible.
/// </summary>
public sealed class AdapterFactory : IAdapterFactory
{
    /// <summary>The adapters and each third-party assembly they are built on (YAML, the AWS SDK's core, HdrHistogram).</summary>
    public string Describe()
        => string.Join("; ",
            Describe(typeof(AdapterFactory).Assembly),
            Describe(typeof(YamlDotNet.Serialization.IDeserializer).Assembly),
            Describe(typeof(Amazon.Runtime.AWSCredentials).Assembly),
            Describe(typeof(HdrHistogram.HistogramBase).Assembly));

    public IConfigFileReader CreateConfigReader() => new CachemoverYamlReader();

    public ICloudClientFactory CreateCloudClientFactory() => new AwsCloudClientFactory();

    public ILatencyHistogramFactory CreateLatencyHistograms() => new HdrLatencyHistogramFactory();

    private static string Describe(Assembly assembly)
    {
        var name = assembly.GetName();
        var context = AssemblyLoadContext.GetLoadContext(assembly)?.Name ?? "none";
        return $"{name.Name} {name.Version} [{context}] {assembly.Location}";
    }
}
