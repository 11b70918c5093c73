using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Verification.Latency;

namespace MemcacheOps.Engine.Adapters;

/// <summary>
/// The one object the adapters assembly (MemcacheOps.Adapters: YAML, S3, SQS) hands to the rest of the
/// product. The module loads the adapters and their third-party packages into a private load context, so
/// adapter objects reach the engine, the cmdlets and the CLI only through interfaces the engine defines:
/// this factory and what it creates. No third-party type ever crosses. Add one member per capability
/// (config reader, chunk store, work queue) as the adapters gain it.
/// </summary>
public interface IAdapterFactory
{
    /// <summary>
    /// Names the adapters assembly and the third-party assemblies it bound to, with versions and load
    /// context, for diagnostics (Import-Module -Verbose, bug reports) and the isolation tests.
    /// </summary>
    string Describe();

    /// <summary>
    /// A reader of cachemover YAML configuration files (Export-MemcacheData -ConfigFile). Cheap: create one
    /// per command.
    /// </summary>
    IConfigFileReader CreateConfigReader();

    /// <summary>
    /// The S3 and SQS clients' factory (AWSSDK.S3 for objects, SQS over HTTP signed by AWSSDK.Core), for export to
    /// S3, import from S3 and the queue consumer.
    /// </summary>
    ICloudClientFactory CreateCloudClientFactory();

    /// <summary>Latency histograms and the .hlog writer (HdrHistogram) for Measure-MemcacheLatency. Cheap: one per run.</summary>
    ILatencyHistogramFactory CreateLatencyHistograms();
}
