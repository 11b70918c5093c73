using System.Text;
using MemcacheOps.Adapters.Config;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Cli.Commands;

/// <summary>Builds export options from a cachemover file (if any) and then the options given on the command line.</summary>
internal static class ExportOptionsBuilder
{
    public static ExportOptions Build(ParsedArguments args)
    {
        var servers = args.Has("server") ? CommonOptions.Servers(args) : null;
        var path = args.Value("path");
        ExportOptions options;
        if (args.Value("config") is { } config)
        {
            var file = new CachemoverYamlReader().Read(config);
            if (file.EffectiveIsS3Dump)
                throw new MemcacheException(MemcacheErrorKind.Unsupported, "S3ExportUnavailable",
                    $"{config}: is_s3_dump is true, but this export writes to a local folder. Remove is_s3_dump or use the S3 options of export.", config);
            options = CachemoverMapping.ToExportOptions(file, servers, path);
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
        return options;
    }
}
