namespace MemcacheOps.Engine.Cloud;

/// <summary>
/// Creates the cloud clients for a set of options. Implemented by the adapters assembly (which the front ends
/// load into their own load context), so the engine never references a cloud SDK.
/// </summary>
public interface ICloudClientFactory
{
    /// <summary>Creates an object store client; fails with a <see cref="MemcacheException"/> when credentials or region cannot be resolved.</summary>
    IChunkStore CreateChunkStore(CloudOptions options);

    /// <summary>Creates a work queue client; fails with a <see cref="MemcacheException"/> when credentials or region cannot be resolved.</summary>
    IWorkQueue CreateWorkQueue(CloudOptions options);
}
