using System.Reflection;
using System.Runtime.Loader;
using MemcacheOps.Adapters.Config;
using MemcacheOps.Engine.Adapters;
using MemcacheOps.Engine.Config;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Adapters;

/// <summary>
/// Entry point of the adapters assembly: the module's private load context creates this class by name and
/// uses it only as <see cref="IAdapterFactory"/>. It must stay public, sealed and parameterless-constructible.
/// </summary>
public sealed class AdapterFactory : IAdapterFactory
{
    /// <summary>The adapters and each third-party assembly they are built on (YAML, then the AWS SDK's core).</summary>
    public string Describe()
        => string.Join("; ",
            Describe(typeof(AdapterFactory).Assembly),
            Describe(typeof(YamlDotNet.Serialization.IDeserializer).Assembly),
            Describe(typeof(Amazon.Runtime.AWSCredentials).Assembly));

    public IConfigFileReader CreateConfigReader() => new CachemoverYamlReader();

    public ICloudClientFactory CreateCloudClientFactory() => new AwsCloudClientFactory();

    private static string Describe(Assembly assembly)
    {
        var name = assembly.GetName();
        var context = AssemblyLoadContext.GetLoadContext(assembly)?.Name ?? "none";
        return $"{name.Name} {name.Version} [{context}] {assembly.Location}";
    }
}
