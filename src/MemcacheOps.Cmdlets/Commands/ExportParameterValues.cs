using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// The values of Export-MemcacheData's parameters in engine types (switches as bools, servers parsed), so
/// <see cref="ExportParameterMerge"/> needs nothing from PowerShell. Which of them the user gave is told
/// separately by the bound-parameter names; a value of a parameter that was not bound is ignored.
/// </summary>
internal sealed record ExportParameterValues
{
    /// <summary>The servers to dump: from -Server or from the piped keys; null when neither gave any.</summary>
    public IReadOnlyList<ServerEndpoint>? Servers { get; init; }

    /// <summary>The dump folder as given (-Path); null when not given.</summary>
    public string? Path { get; init; }

    /// <summary>Only these keys (-KeyFile, -Key or piped keys); null to list the server.</summary>
    public MemcacheOps.Engine.KeySources.KeySource? Keys { get; init; }

    public int Connections { get; init; }
    public int BatchSize { get; init; }
    public int Window { get; init; }
    public long MemoryLimit { get; init; }
    public long KeyFileSize { get; init; }
    public long DataFileSize { get; init; }
    public long OnlyExpireAfter { get; init; }
    public string? RequestId { get; init; }
    public bool Resume { get; init; }
    public bool Force { get; init; }
    public string? Include { get; init; }
    public string? Exclude { get; init; }
    public bool Regex { get; init; }
    public IReadOnlyList<ServerEndpoint>? RingServer { get; init; }
    public IReadOnlyList<ServerEndpoint>? DestinationServer { get; init; }
    public int PointsPerServer { get; init; } = KetamaRing.DefaultPointsPerServer;
    public RingForm RingForm { get; init; } = RingForm.Spymemcached;
    public string? HashSalt { get; init; }
    public IReadOnlyList<double>? HashWeight { get; init; }
    public DumpLayout Layout { get; init; } = DumpLayout.Native;

    public MemcacheOps.Engine.Dump.ChecksumAlgorithm Checksum { get; init; } = MemcacheOps.Engine.Dump.ChecksumAlgorithm.Crc32C;
    public double MaxOpsPerSecond { get; init; }
    public double MaxBytesPerSecond { get; init; }
    public ListingMethod Method { get; init; } = ListingMethod.Auto;

    /// <summary>From the common -ConnectTimeout and -Timeout, which no configuration file sets.</summary>
    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;

    /// <summary>-S3Bucket; null when not given.</summary>
    public string? S3Bucket { get; init; }

    /// <summary>-S3Prefix; null when not given.</summary>
    public string? S3Prefix { get; init; }

    /// <summary>-SqsQueue; null when not given.</summary>
    public string? SqsQueue { get; init; }

    public bool RemoveLocal { get; init; }
}
