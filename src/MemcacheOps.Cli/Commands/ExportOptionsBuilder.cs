using MemcacheOps.Adapters.Config;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Cli.Commands;

/// <summary>
/// Builds an export's settings: the options given on the command line become the engine's
/// <see cref="ExportOverrides"/> (an option left out stays null), and the engine's single merge
/// (<see cref="ExportSettingsMerge"/>, shared with Export-MemcacheData) lays them over the --config file.
/// </summary>
internal static class ExportOptionsBuilder
{
    public static (ExportOptions Export, ChunkPublishOptions? Publish) Build(ParsedArguments args, KeySource? keys = null)
    {
        var config = args.Value("config") is { } file ? new CachemoverYamlReader().Read(file) : null;
        var settings = ExportSettingsMerge.Merge(config, ToOverrides(args, keys));
        if (settings.Publish is not { } publish)
            return (settings.Export, null);
        var cloud = CloudCliOptions.Build(args);
        return (settings.Export, publish with { Cloud = cloud, QueueCloud = CloudCliOptions.ForQueue(args, cloud) });
    }

    /// <summary>The options the command line gave, each null when not given.</summary>
    internal static ExportOverrides ToOverrides(ParsedArguments args, KeySource? keys = null) => new()
    {
        Servers = args.Has("server") ? CommonOptions.Servers(args) : null,
        Path = args.Value("path"),
        Connections = args.Int("connections"),
        BatchSize = args.Int("batch-size"),
        Window = args.Int("window"),
        MemoryLimit = args.Long("memory-limit"),
        KeyFileSize = args.Long("key-file-size"),
        DataFileSize = args.Long("data-file-size"),
        OnlyExpireAfterSeconds = args.Long("only-expire-after"),
        RequestId = args.Value("request-id"),
        Resume = args.Switch("resume"),
        Force = args.Switch("force"),
        Include = args.Value("include"),
        Exclude = args.Value("exclude"),
        Regex = args.Switch("regex"),
        Keys = keys,
        RingServers = args.Has("ring-server") ? ServerEndpoint.ParseList(args.List("ring-server")) : null,
        DestinationServers = args.Has("destination-server") ? ServerEndpoint.ParseList(args.List("destination-server")) : null,
        PointsPerServer = args.Int("points-per-server"),
        RingForm = args.Enum<RingForm>("ring-form"),
        HashSalt = args.Value("hash-salt"),
        HashWeights = RingCliOptions.Weights(args),
        Layout = args.Enum<DumpLayout>("layout"),
        Checksum = args.Enum<MemcacheOps.Engine.Dump.ChecksumAlgorithm>("checksum"),
        MaxOperationsPerSecond = args.Double("max-ops-per-second"),
        MaxBytesPerSecond = args.Double("max-bytes-per-second"),
        Method = args.Enum<ListingMethod>("method"),
        Connection = CommonOptions.ConnectionOptions(args),
        S3Bucket = args.Value("s3-bucket"),
        S3Prefix = args.Value("s3-prefix"),
        SqsQueue = args.Value("sqs-queue"),
        RemoveLocal = args.Switch("remove-local"),
    };
}
