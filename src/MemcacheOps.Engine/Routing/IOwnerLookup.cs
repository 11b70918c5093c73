using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Routing;

/// <summary>
/// Which server of a pool holds each key, as one client or proxy places it (<see cref="RingForm"/>). Import,
/// move, export's destination filter, compare over a ring and the S3/SQS consumer route through this
/// interface only, so none of them depends on the form; <see cref="RingOptions.Create(IReadOnlyList{KetamaNode})"/>
/// is the one place that picks the implementation. Implementations are immutable, take no lock and allocate
/// nothing per lookup, so one instance is shared by every worker.
/// </summary>
public interface IOwnerLookup
{
    /// <summary>The placement this lookup reproduces.</summary>
    RingForm Form { get; }

    /// <summary>The servers in the order given; owner indexes refer to this list.</summary>
    IReadOnlyList<ServerEndpoint> Servers { get; }

    /// <summary>A short description for plans, manifests and messages, e.g. "Ch3 pool of 3 servers".</summary>
    string Description { get; }

    /// <summary>Index into <see cref="Servers"/> of the server that owns <paramref name="key"/>.</summary>
    int GetOwnerIndex(ReadOnlySpan<byte> key);

    /// <summary>
    /// The same as <see cref="GetOwnerIndex(ReadOnlySpan{byte})"/> for a caller that already has the key's MD5
    /// digest (<paramref name="keyDigest"/>: its 16 bytes read little-endian, as the move's key identities
    /// hold it). Placements that hash MD5 of the whole key use it instead of hashing again; the others ignore it.
    /// </summary>
    int GetOwnerIndex(ReadOnlySpan<byte> key, UInt128 keyDigest) => GetOwnerIndex(key);

    /// <summary>Index of <paramref name="endpoint"/> in <see cref="Servers"/>, or -1.</summary>
    int IndexOf(ServerEndpoint endpoint)
    {
        var servers = Servers;
        for (var i = 0; i < servers.Count; i++)
        {
            if (servers[i].Equals(endpoint))
                return i;
        }
        return -1;
    }
}
