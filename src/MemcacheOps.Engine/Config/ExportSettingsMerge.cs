using System.Globalization;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Engine.Config;

/// <summary>The settings of one export: what to dump where, and where (if anywhere) its data files are shipped.</summary>
/// <param name="Export">The dump itself.</param>
/// <param name="Publish">The S3/SQS side (-S3Bucket or is_s3_dump); null for a dump kept on disk only. Its
/// <see cref="ChunkPublishOptions.Cloud"/> credentials are the front end's to fill in.</param>
public sealed record ExportSettings(ExportOptions Export, ChunkPublishOptions? Publish);

/// <summary>
/// The one merge of a cachemover configuration file with the settings a user gave explicitly, used by
/// Export-MemcacheData and <c>memcacheops export</c> alike. Every setting follows one rule: an explicit value
/// wins (false and zero included), else the file's value, else the engine default (<see cref="ExportOptions"/>).
/// The ketama filter and the S3 destination are merged part by part, so a parameter can complete what the
/// file leaves out (<c>dest_ips</c> without <c>all_ips</c>, <c>is_s3_dump</c> without <c>s3_final_path</c>).
/// Errors name both the parameter and the file's key, and say where a bad value came from.
/// </summary>
public static class ExportSettingsMerge
{
    /// <summary>Both parts of an export's settings; see <see cref="MergeExport"/> and <see cref="MergePublish"/>.</summary>
    public static ExportSettings Merge(CachemoverConfig? config, ExportOverrides overrides)
        => new(MergeExport(config, overrides), MergePublish(config, overrides));

    /// <summary>
    /// The export's options. Throws <see cref="MemcacheException"/> (InvalidArgument) when no server or folder
    /// is known, a value is out of range, or the ketama filter is incomplete or inconsistent.
    /// </summary>
    /// <param name="config">The configuration file's settings; null without a file.</param>
    /// <param name="overrides">What the user gave explicitly.</param>
    public static ExportOptions MergeExport(CachemoverConfig? config, ExportOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        config?.ValidateValues();
        var defaults = new ExportOptions
        {
            Servers = overrides.Servers ?? FileServers(config) ?? throw Required(config, "ServerRequired", "No server to dump: give -Server (or -ConfigFile with a file that has ip and port).", "ip", "the server to dump (or give -Server)"),
            Path = overrides.Path ?? config?.OutputDir ?? throw Required(config, "PathRequired", "No dump folder: give -Path (or -ConfigFile with a file that has output_dir).", "output_dir", "the dump folder (or give -Path)"),
        };
        return defaults with
        {
            Connections = (int)Checked(config, overrides.Connections, config?.Threads, defaults.Connections, "Connections", CachemoverKey.Threads, "InvalidConnections", 1, ExportOptions.MaxConnections),
            BatchSize = (int)Checked(config, overrides.BatchSize, config?.BulkGetThreshold, defaults.BatchSize, "BatchSize", CachemoverKey.BulkGetThreshold, "InvalidBatchSize", 1, ExportOptions.MaxBatchSize),
            Window = (int)Checked(config, overrides.Window, null, defaults.Window, "Window", CachemoverKey.None, "InvalidWindow", 1, ExportOptions.MaxWindow),
            MemoryLimit = Checked(config, overrides.MemoryLimit, config?.MemLimit, defaults.MemoryLimit, "MemoryLimit", CachemoverKey.MemLimit, "InvalidMemoryLimit", 1, long.MaxValue),
            KeyFileSize = Checked(config, overrides.KeyFileSize, config?.KeyFileSize, defaults.KeyFileSize, "KeyFileSize", CachemoverKey.KeyFileSize, "InvalidFileSize", ExportOptions.MinFileSize, long.MaxValue),
            DataFileSize = Checked(config, overrides.DataFileSize, config?.DataFileSize, defaults.DataFileSize, "DataFileSize", CachemoverKey.DataFileSize, "InvalidFileSize", ExportOptions.MinFileSize, long.MaxValue),
            OnlyExpireAfterSeconds = Checked(config, overrides.OnlyExpireAfterSeconds, config?.OnlyExpireAfterSeconds, defaults.OnlyExpireAfterSeconds, "OnlyExpireAfter", CachemoverKey.OnlyExpireAfterSeconds, "InvalidOnlyExpireAfter", 0, long.MaxValue),
            RequestId = overrides.RequestId ?? config?.ReqId ?? defaults.RequestId,
            Resume = overrides.Resume ?? config?.CheckpointResume ?? defaults.Resume,
            Force = overrides.Force ?? defaults.Force,
            Filter = overrides.Include is null && overrides.Exclude is null
                ? defaults.Filter
                : new KeyFilter(overrides.Include, overrides.Regex ?? false, excludePattern: overrides.Exclude, excludeIsRegex: overrides.Regex ?? false),
            Keys = overrides.Keys ?? defaults.Keys,
            Layout = overrides.Layout ?? defaults.Layout,
            Checksum = overrides.Checksum ?? defaults.Checksum,
            MaxOperationsPerSecond = overrides.MaxOperationsPerSecond ?? defaults.MaxOperationsPerSecond,
            MaxBytesPerSecond = overrides.MaxBytesPerSecond ?? defaults.MaxBytesPerSecond,
            Listing = overrides.Method is { } method ? defaults.Listing with { Method = method } : defaults.Listing,
            Connection = overrides.Connection ?? defaults.Connection,
            OwnerFilter = OwnerFilter(config, overrides),
        };
    }

    /// <summary>
    /// Where the data files are shipped, or null to keep the dump on disk only. The bucket is -S3Bucket, else
    /// the file's s3_bucket when the file says <c>is_s3_dump: true</c>; prefix and queue likewise, each on its
    /// own. A file with <c>is_s3_dump: true</c> must name bucket, prefix and queue (as cachemover requires),
    /// unless parameters give them. -S3Prefix, -SqsQueue and -RemoveLocal need a bucket.
    /// </summary>
    public static ChunkPublishOptions? MergePublish(CachemoverConfig? config, ExportOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var fromFile = config is { EffectiveIsS3Dump: true };
        var bucket = overrides.S3Bucket ?? (fromFile ? config!.S3Bucket ?? throw Missing(config, "s3_bucket", "the bucket data files go to, which is_s3_dump needs (or give -S3Bucket)") : null);
        if (bucket is null)
        {
            var strays = new List<string>();
            if (overrides.S3Prefix is not null) strays.Add("-S3Prefix");
            if (overrides.SqsQueue is not null) strays.Add("-SqsQueue");
            if (overrides.RemoveLocal == true) strays.Add("-RemoveLocal");
            if (strays.Count > 0)
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "S3BucketMissing",
                    $"{string.Join(", ", strays)} {(strays.Count == 1 ? "needs" : "need")} -S3Bucket (or -ConfigFile with a file that has is_s3_dump: true and s3_bucket).");
            return null;
        }
        return new ChunkPublishOptions
        {
            Bucket = bucket,
            Prefix = overrides.S3Prefix ?? (fromFile ? config!.S3FinalPath ?? throw Missing(config, "s3_final_path", "the key prefix of the uploaded files, which is_s3_dump needs (or give -S3Prefix)") : string.Empty),
            QueueName = overrides.SqsQueue ?? (fromFile ? config!.SqsQueue ?? throw Missing(config, "sqs_queue", "the queue that announces each file, which is_s3_dump needs (or give -SqsQueue)") : null),
            RemoveLocal = overrides.RemoveLocal ?? false,
            Cloud = new CloudOptions(),
        };
    }

    /// <summary>
    /// The owner filter: -RingServer/-DestinationServer/-PointsPerServer/-RingForm/-HashSalt/-HashWeight, the
    /// first three falling back to the file's all_ips/dest_ips/ketama_bucket_size (the file's bucket size only
    /// for a ketama form: cachemover's rings are ketama). Keys are filtered only when there are servers to keep.
    /// </summary>
    private static OwnerFilter? OwnerFilter(CachemoverConfig? config, ExportOverrides overrides)
    {
        var ringGiven = overrides.RingServers is { Count: > 0 };
        var keepGiven = overrides.DestinationServers is { Count: > 0 };
        var ring = ringGiven ? overrides.RingServers : config?.AllIps;
        var keep = keepGiven ? overrides.DestinationServers : config?.DestIps;
        if (keep is not { Count: > 0 })
        {
            if (ringGiven)
                throw Incomplete(config, "-RingServer (cachemover: all_ips) was given without -DestinationServer (dest_ips): also give the servers of the ring whose keys to keep", "dest_ips");
            return null;
        }
        if (ring is not { Count: > 0 })
            throw Incomplete(config, "-DestinationServer (cachemover: dest_ips) needs the ring its servers belong to: also give -RingServer (all_ips) with every server of the ring", "all_ips");
        var placement = new RingOptions
        {
            Form = overrides.RingForm ?? RingForm.Spymemcached,
            HashSalt = overrides.HashSalt,
            Weights = overrides.HashWeights,
        };
        // The file's ketama_bucket_size describes cachemover's ketama ring; an mcrouter pool has no points.
        placement = placement with { PointsPerServer = overrides.PointsPerServer ?? (placement.IsMcrouterForm ? null : config?.KetamaBucketSize) };
        try
        {
            return new OwnerFilter(placement.Create(ring), keep);
        }
        catch (MemcacheException ex)
        {
            // The ring's own message says what is wrong; add where each part came from.
            var pointsOrigin = overrides.PointsPerServer is not null ? "-PointsPerServer"
                : config?.KetamaBucketSize is not null ? $"ketama_bucket_size in {Source(config)}"
                : "the default points per server";
            var origins = string.Join(", ",
                ringGiven ? "-RingServer" : $"all_ips in {Source(config)}",
                keepGiven ? "-DestinationServer" : $"dest_ips in {Source(config)}",
                pointsOrigin);
            throw new MemcacheException(ex.Kind, ex.ErrorId, $"The owner filter ({origins}) is not usable: {ex.Message}", ex.Target ?? config?.SourcePath, ex);
        }
    }

    private static string Source(CachemoverConfig? config) => config?.SourcePath is { } path ? $"'{path}'" : "the configuration";

    private static MemcacheException Required(CachemoverConfig? config, string errorId, string withoutFile, string key, string what)
        => config is null ? new(MemcacheErrorKind.InvalidArgument, errorId, withoutFile) : Missing(config, key, what);

    private static MemcacheException Missing(CachemoverConfig config, string key, string what)
    {
        var source = config.SourcePath ?? "the configuration";
        return new(MemcacheErrorKind.InvalidArgument, "ConfigInvalid", $"{source}: the key '{key}' is missing; it names {what}.", source);
    }

    private static MemcacheException Incomplete(CachemoverConfig? config, string problem, string missingKey)
    {
        var file = config is null ? string.Empty : $" ({config.SourcePath ?? "the configuration"} has no {missingKey} either)";
        return new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaFilterIncomplete", $"{problem}{file}.", config?.SourcePath);
    }

    private static IReadOnlyList<ServerEndpoint>? FileServers(CachemoverConfig? config)
        => config?.Ip is { } ip ? [new ServerEndpoint(ip, config.Port ?? ServerEndpoint.DefaultPort)] : null;

    /// <summary>
    /// The explicit value, else the file's, else the default; refused when outside what the export supports
    /// (a file may hold values cachemover accepts but MemcacheOps does not, such as 512 threads), naming the
    /// parameter, the file's key and where the value came from.
    /// </summary>
    private static long Checked(CachemoverConfig? config, long? given, long? fromFile, long fallback, string parameter, CachemoverKey key, string errorId, long min, long max)
    {
        var value = given ?? fromFile ?? fallback;
        if (value >= min && value <= max)
            return value;
        var c = CultureInfo.InvariantCulture;
        var setting = key == CachemoverKey.None ? $"-{parameter}" : $"-{parameter} (cachemover: {CachemoverKeys.Get(key).Name})";
        var origin = given is not null
            ? string.Create(c, $"-{parameter} {value}")
            : string.Create(c, $"{CachemoverKeys.Get(key).Name}: {value} in {Source(config)}");
        var range = max == long.MaxValue ? string.Create(c, $"at least {min}") : string.Create(c, $"from {min} to {max}");
        var fix = given is not null ? "give a value in that range" : $"change the file or give -{parameter}";
        throw new MemcacheException(MemcacheErrorKind.InvalidArgument, errorId,
            $"{origin} is not usable: {setting} must be {range}; {fix}.", given is null ? config?.SourcePath : null);
    }
}
