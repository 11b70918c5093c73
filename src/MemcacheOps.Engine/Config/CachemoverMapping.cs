using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Engine.Config;

/// <summary>
/// Turns a cachemover configuration into export options. Front ends start from this and then apply
/// the options the user gave explicitly, which therefore override the file.
/// </summary>
public static class CachemoverMapping
{
    /// <summary>Keys MemcacheOps needs from a file when the command line does not supply them.</summary>
    public const CachemoverKey NeededForExport = CachemoverKey.Ip | CachemoverKey.OutputDir;

    public static ExportOptions ToExportOptions(CachemoverConfig config, IReadOnlyList<ServerEndpoint>? servers = null, string? path = null)
    {
        var source = config.SourcePath ?? "the configuration";
        servers ??= config.Ip is { } ip
            ? [new ServerEndpoint(ip, config.Port ?? ServerEndpoint.DefaultPort)]
            : throw Missing(source, "ip", "the server to dump (or give -Server)");
        path ??= config.OutputDir ?? throw Missing(source, "output_dir", "the dump folder (or give -Path)");
        var options = new ExportOptions { Servers = servers, Path = path };
        if (config.Threads is { } threads)
            options = options with { Connections = threads };
        if (config.BulkGetThreshold is { } batch)
            options = options with { BatchSize = batch };
        if (config.MemLimit is { } memory)
            options = options with { MemoryLimit = memory };
        if (config.KeyFileSize is { } keyFile)
            options = options with { KeyFileSize = keyFile };
        if (config.DataFileSize is { } dataFile)
            options = options with { DataFileSize = dataFile };
        if (config.OnlyExpireAfterSeconds is { } after)
            options = options with { OnlyExpireAfterSeconds = after };
        if (config.ReqId is { } requestId)
            options = options with { RequestId = requestId };
        if (config.CheckpointResume is true)
            options = options with { Resume = true };
        if (config.DestIps is { Count: > 0 } destinations)
        {
            var ring = config.AllIps is { Count: > 0 } all
                ? all
                : throw Missing(source, "all_ips", "the ring's servers, which dest_ips needs");
            var points = config.KetamaBucketSize ?? KetamaRing.DefaultPointsPerServer;
            options = options with { Ketama = new KetamaFilter(new KetamaRing(ring.Select(s => new KetamaNode(s)), KetamaForm.Spymemcached, points), destinations.ToList()) };
        }
        return options;
    }

    /// <summary>
    /// The S3 side of an export when the file says <c>is_s3_dump: true</c> (null otherwise): <c>s3_bucket</c>,
    /// <c>s3_final_path</c> and <c>sqs_queue</c>, which cachemover requires together with <c>req_id</c> (mapped to
    /// <see cref="ExportOptions.RequestId"/> by <see cref="ToExportOptions"/>). Objects are then
    /// <c>s3_final_path/req_id/file</c>, as cachemover names them.
    /// </summary>
    public static ChunkPublishOptions? ToChunkPublishOptions(CachemoverConfig config, CloudOptions? cloud = null)
    {
        if (!config.EffectiveIsS3Dump)
            return null;
        var source = config.SourcePath ?? "the configuration";
        return new ChunkPublishOptions
        {
            Bucket = config.S3Bucket ?? throw Missing(source, "s3_bucket", "the bucket data files go to, which is_s3_dump needs"),
            Prefix = config.S3FinalPath ?? throw Missing(source, "s3_final_path", "the key prefix of the uploaded files, which is_s3_dump needs"),
            QueueName = config.SqsQueue ?? throw Missing(source, "sqs_queue", "the queue that announces each file, which is_s3_dump needs"),
            Cloud = cloud ?? new CloudOptions(),
        };
    }

    private static MemcacheException Missing(string source, string key, string what)
        => new(MemcacheErrorKind.InvalidArgument, "ConfigInvalid", $"{source}: the key '{key}' is missing; it names {what}.", source);
}
