using System.Threading.Channels;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// One side of a comparison as the passes use it: enumerate everything it holds in batches, and look
/// up the keys of a batch. A server side (one server or a ring) and a dump side implement it.
/// </summary>
internal interface ICompareSide : IAsyncDisposable
{
    /// <summary>The side as shown in results.</summary>
    string Name { get; }

    /// <summary>True when flags above 65535 may have been cut to their low 16 bits (cachemover dumps).</summary>
    bool FlagsTruncated { get; }

    /// <summary>Servers on this side (1 for a dump); server indexes in batches are below this.</summary>
    int ServerCount { get; }

    /// <summary>How many items enumerating may yield (for progress); null when unknown.</summary>
    long? EstimatedItems { get; }

    /// <summary>The server (host:port) or dump path of a server index used in batches.</summary>
    string ServerName(int index);

    /// <summary>Connects or opens; fails early when the side cannot be reached or read.</summary>
    Task OpenAsync(CancellationToken cancellationToken);

    /// <summary>True when <see cref="PrepareLookupsAsync"/> does real work worth a progress phase of its own.</summary>
    bool LookupsNeedPreparation { get; }

    /// <summary>Makes lookups possible (a dump builds its index); called once before a pass that looks up on this side.</summary>
    Task PrepareLookupsAsync(ProgressTracker? progress, CancellationToken cancellationToken);

    /// <summary>Frees what lookups needed, once no pass will look up on this side again.</summary>
    void ReleaseLookups();

    /// <summary>
    /// Hands every sampled item to <paramref name="output"/> in batches rented from
    /// <paramref name="pool"/>, with enumerated records filled (keys gone since listing are left
    /// absent). Returns once every batch has been written to the output.
    /// </summary>
    Task EnumerateAsync(CompareBatchPool pool, ChannelWriter<CompareBatch> output, bool withValues, CancellationToken cancellationToken);

    /// <summary>Fills the other-side records of every key whose enumerated record is present.</summary>
    ValueTask LookupAsync(CompareBatch batch, bool withValues, CancellationToken cancellationToken);
}
