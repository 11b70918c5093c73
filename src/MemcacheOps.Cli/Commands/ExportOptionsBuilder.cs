using System.Text;
using MemcacheOps.Adapters.Config;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Cli.Commands;

/// <summary>
/// Builds export options from a cachemover file (if any) and then the options given on the command line; with
/// is_s3_dump in the file or --s3-bucket, also where the data files are shipped.
/// </summary>
internal static class ExportOptionsBuilder
{
    public static (ExportOptions Export, ChunkPublishOptions? Publish) Build(ParsedArguments args)
    {
        var servers = args.Has("server") ? CommonOptions.Servers(args) : null;
        var path = args.Value("path");
        ExportOptions options;
        ChunkPublishOptions? publish = null;
        if (args.Value("config") is { } config)
        {
            var file = new CachemoverYamlReader().Read(config);
            options = CachemoverMapping.ToExportOptions(file, servers, path);
            publish = CachemoverMapping.ToChunkPublishOptions(file);
        }
        else
        {
            options = new ExportOptions
            {
                Servers = servers ?? throw new UsageException("--server is required (or --config with ip/port)."),
                Path = path ?? throw new UsageException("--path is required (or --config with output_dir)."),
            };
        }
        var regex = args.Flag("regex");
        options = options with
        {
            Connections = args.Int("connections") ?? options.Connections,
            BatchSize = args.Int("batch-size") ?? options.BatchSize,
            Window = args.Int("window") ?? options.Window,
            MemoryLimit = args.Long("memory-limit") ?? options.MemoryLimit,
            KeyFileSize = args.Long("key-file-size") ?? options.KeyFileSize,
            DataFileSize = args.Long("data-file-size") ?? options.DataFileSize,
            OnlyExpireAfterSeconds = args.Long("only-expire-after") ?? options.OnlyExpireAfterSeconds,
            RequestId = args.Value("request-id") ?? options.RequestId,
            Resume = args.Flag("resume") || options.Resume,
            Force = args.Flag("force"),
            Layout = args.Enum<DumpLayout>("layout") ?? options.Layout,
            Checksum = args.Enum<MemcacheOps.Engine.Dump.ChecksumAlgorithm>("checksum") ?? options.Checksum,
            MaxOperationsPerSecond = args.Double("max-ops-per-second"),
            MaxBytesPerSecond = args.Double("max-bytes-per-second"),
            Connection = CommonOptions.ConnectionOptions(args),
            Listing = options.Listing with { Method = args.Enum<ListingMethod>("method") ?? options.Listing.Method },
        };
        if (args.Has("include") || args.Has("exclude"))
            options = options with { Filter = new KeyFilter(args.Value("include"), regex, excludePattern: args.Value("exclude"), excludeIsRegex: regex) };
        if (args.Has("key"))
            options = options with { Keys = args.List("key").Select(k => Encoding.UTF8.GetBytes(k)).ToList() };
        if (args.Has("destination-server") || args.Has("ring-server"))
        {
            var ring = ServerEndpoint.ParseList(args.List("ring-server"));
            var keep = ServerEndpoint.ParseList(args.List("destination-server"));
            if (ring.Count == 0 || keep.Count == 0)
                throw new UsageException("--ring-server and --destination-server go together.");
            var form = args.Enum<KetamaForm>("ring-form") ?? KetamaForm.Spymemcached;
            var points = args.Int("points-per-server") ?? options.Ketama?.Ring.PointsPerServer ?? KetamaRing.DefaultPointsPerServer;
            options = options with { Ketama = new KetamaFilter(new KetamaRing(ring.Select(s => new KetamaNode(s)), form, points), keep) };
        }
        return (options, BuildPublish(args, publish));
    }

    /// <summary>The command line's S3 options over the file's; null when neither names a bucket.</summary>
    private static ChunkPublishOptions? BuildPublish(ParsedArguments args, ChunkPublishOptions? fromFile)
    {
        var bucket = args.Value("s3-bucket") ?? fromFile?.Bucket;
        if (bucket is null)
        {
            foreach (var option in new[] { "s3-prefix", "sqs-queue", "remove-local" })
            {
                if (args.Has(option))
                    throw new UsageException($"--{option} needs --s3-bucket (or is_s3_dump with s3_bucket in --config).");
            }
            return null;
        }
        var cloud = CloudCliOptions.Build(args);
        return new ChunkPublishOptions
        {
            Bucket = bucket,
            Prefix = args.Value("s3-prefix") ?? fromFile?.Prefix ?? string.Empty,
            QueueName = args.Value("sqs-queue") ?? fromFile?.QueueName,
            RemoveLocal = args.Flag("remove-local"),
            Cloud = cloud,
            QueueCloud = CloudCliOptions.ForQueue(args, cloud),
        };
    }
}
