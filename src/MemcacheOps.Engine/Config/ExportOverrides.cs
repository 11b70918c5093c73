using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Engine.Config;

/// <summary>
/// The export settings a user gave explicitly (bound cmdlet parameters, command-line options). Every
/// property is null when it was not given, so <see cref="ExportSettingsMerge"/> can tell "not given" (take
/// the configuration file's value, else the engine default) from an explicit value that happens to equal a
/// default, such as <c>-Resume:$false</c> or <c>--resume=false</c> over a file's <c>checkpoint_resume: true</c>.
/// Names follow the cmdlet parameters; the cachemover key each one overrides is noted.
/// </summary>
public sealed record ExportOverrides
{
    /// <summary>Nothing given: the file (or the engine defaults) decides everything.</summary>
    public static ExportOverrides None { get; } = new();

    /// <summary>-Server (cachemover: ip and port), or the servers of keys piped in.</summary>
    public IReadOnlyList<ServerEndpoint>? Servers { get; init; }

    /// <summary>-Path (cachemover: output_dir).</summary>
    public string? Path { get; init; }

    /// <summary>-Connections (cachemover: threads).</summary>
    public int? Connections { get; init; }

    /// <summary>-BatchSize (cachemover: bulk_get_threshold).</summary>
    public int? BatchSize { get; init; }

    /// <summary>-Window.</summary>
    public int? Window { get; init; }

    /// <summary>-MemoryLimit (cachemover: memlimit).</summary>
    public long? MemoryLimit { get; init; }

    /// <summary>-KeyFileSize (cachemover: key_file_size).</summary>
    public long? KeyFileSize { get; init; }

    /// <summary>-DataFileSize (cachemover: data_file_size).</summary>
    public long? DataFileSize { get; init; }

    /// <summary>-OnlyExpireAfter, in seconds (cachemover: only_expire_after_s).</summary>
    public long? OnlyExpireAfterSeconds { get; init; }

    /// <summary>-RequestId (cachemover: req_id).</summary>
    public string? RequestId { get; init; }

    /// <summary>-Resume (cachemover: checkpoint_resume); false given explicitly overrides the file's true.</summary>
    public bool? Resume { get; init; }

    /// <summary>-Force.</summary>
    public bool? Force { get; init; }

    /// <summary>-Include: keep only keys matching this pattern.</summary>
    public string? Include { get; init; }

    /// <summary>-Exclude: leave out keys matching this pattern.</summary>
    public string? Exclude { get; init; }

    /// <summary>-Regex: -Include and -Exclude are regular expressions rather than wildcards.</summary>
    public bool? Regex { get; init; }

    /// <summary>-RingServer (cachemover: all_ips); an empty list counts as not given.</summary>
    public IReadOnlyList<ServerEndpoint>? RingServers { get; init; }

    /// <summary>-DestinationServer (cachemover: dest_ips); an empty list counts as not given.</summary>
    public IReadOnlyList<ServerEndpoint>? DestinationServers { get; init; }

    /// <summary>-PointsPerServer (cachemover: ketama_bucket_size).</summary>
    public int? PointsPerServer { get; init; }

    /// <summary>-RingForm.</summary>
    public RingForm? RingForm { get; init; }

    /// <summary>-HashSalt (mcrouter's hash_salt).</summary>
    public string? HashSalt { get; init; }

    /// <summary>-HashWeight (mcrouter's weights, one per ring server).</summary>
    public IReadOnlyList<double>? HashWeights { get; init; }

    /// <summary>-Key, or keys piped in: dump only these instead of listing the server.</summary>
    public KeySources.KeySource? Keys { get; init; }

    /// <summary>-Layout.</summary>
    public DumpLayout? Layout { get; init; }

    /// <summary>-Checksum.</summary>
    public ChecksumAlgorithm? Checksum { get; init; }

    /// <summary>-MaxOpsPerSecond.</summary>
    public double? MaxOperationsPerSecond { get; init; }

    /// <summary>-MaxBytesPerSecond.</summary>
    public double? MaxBytesPerSecond { get; init; }

    /// <summary>-Method: how keys are listed.</summary>
    public ListingMethod? Method { get; init; }

    /// <summary>-ConnectTimeout and -Timeout, which no configuration file sets.</summary>
    public ConnectionOptions? Connection { get; init; }

    /// <summary>-S3Bucket (cachemover: s3_bucket, used when is_s3_dump is true).</summary>
    public string? S3Bucket { get; init; }

    /// <summary>-S3Prefix (cachemover: s3_final_path).</summary>
    public string? S3Prefix { get; init; }

    /// <summary>-SqsQueue (cachemover: sqs_queue).</summary>
    public string? SqsQueue { get; init; }

    /// <summary>-RemoveLocal.</summary>
    public bool? RemoveLocal { get; init; }
}
