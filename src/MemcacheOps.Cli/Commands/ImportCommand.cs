using System.Globalization;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Storing;

namespace MemcacheOps.Cli.Commands;

/// <summary><c>memcacheops import</c>: the same as Import-MemcacheData.</summary>
public sealed class ImportCommand : ICommand
{
    public string Name => "import";

    public string Summary => "Load dumps (folders, data files, s3://bucket/prefix, or chunks announced on an SQS queue) into servers, verifying checksums first.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. CommonOptions.Connection,
        new("path", OptionKind.List, "Dump folder(s) or data file(s), or s3://bucket/prefix for every data file under it.") { ValueName = "PATH" },
        new("bucket-name", OptionKind.Value, "Import the objects named by --key from this bucket (as Get-S3Object output binds).") { ValueName = "BUCKET" },
        new("key", OptionKind.List, "Object key to import from --bucket-name; repeat for several (commas are part of the key).") { ValueName = "KEY" },
        new("sqs-queue", OptionKind.Value, "Consume this SQS queue: import each announced chunk and delete its message after success.") { ValueName = "NAME" },
        new("s3-bucket", OptionKind.List, "With --sqs-queue: the bucket(s) messages may name; any other is refused.") { ValueName = "BUCKET" },
        new("s3-prefix", OptionKind.Value, "With --sqs-queue: messages may only name keys under this prefix.") { ValueName = "PREFIX" },
        new("max-receive-count", OptionKind.Value, "With --sqs-queue: set a message aside as poison once received more than N times. Default 5.") { ValueName = "N" },
        new("idle-timeout", OptionKind.Value, "With --sqs-queue: stop once the queue stays empty this long. Default 60; 0 stops at the first empty receive.") { ValueName = "SECONDS" },
        new("visibility-timeout", OptionKind.Value, "With --sqs-queue: seconds a received message stays hidden, extended while its chunk is imported. Default 120.") { ValueName = "SECONDS" },
        new("work-folder", OptionKind.Value, "Where S3 downloads go (a private subfolder, removed at the end). Default: the temporary folder.") { ValueName = "DIR" },
        new("mode", OptionKind.Value, "add (default: never overwrite data live traffic wrote), set or replace.") { ValueName = "MODE" },
        new("skip-checksum", OptionKind.Flag, "Load without verifying checksums first."),
        new("minimum-ttl", OptionKind.Value, "Skip items with less than SECONDS left to live.") { ValueName = "SECONDS" },
        new("ttl-override", OptionKind.Value, "Store every item with this TTL in seconds (0: never expires).") { ValueName = "SECONDS" },
        new("allow-incomplete", OptionKind.Flag, "Load the finished files of an incomplete dump."),
        .. RingCliOptions.All,
        new("connections", OptionKind.Value, "Connections per target server. Default 2.") { ValueName = "N" },
        new("batch-size", OptionKind.Value, "Items per pipelined batch. Default 100.") { ValueName = "N" },
        CommonOptions.Window,
        new("file-parallelism", OptionKind.Value, "Data files read (from S3: chunks downloaded and loaded) at the same time. Default 2.") { ValueName = "N" },
        new("max-ops-per-second", OptionKind.Value, "Limit store operations per second per target.") { ValueName = "N" },
        new("max-bytes-per-second", OptionKind.Value, "Limit the value bytes per second each target receives, over all its connections.") { ValueName = "N" },
        .. CloudCliOptions.Aws,
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var paths = args.List("path");
        var queue = args.Value("sqs-queue");
        var bucketName = args.Value("bucket-name");
        var sources = (paths.Count > 0 ? 1 : 0) + (queue is not null ? 1 : 0) + (bucketName is not null ? 1 : 0);
        if (sources != 1)
            throw new UsageException("Give one source: --path (folders, files or s3://bucket/prefix), --bucket-name with --key, or --sqs-queue.");
        if (bucketName is null && args.Has("key"))
            throw new UsageException("--key needs --bucket-name.");
        if (queue is null)
        {
            foreach (var option in new[] { "s3-bucket", "s3-prefix", "max-receive-count", "idle-timeout", "visibility-timeout" })
            {
                if (args.Has(option))
                    throw new UsageException($"--{option} goes with --sqs-queue.");
            }
        }
        var options = new ImportOptions
        {
            Paths = paths,
            Servers = CommonOptions.Servers(args),
            Mode = args.Enum<StoreMode>("mode") ?? StoreMode.Add,
            SkipChecksum = args.Flag("skip-checksum"),
            MinimumTtl = args.Long("minimum-ttl") ?? 0,
            TtlOverride = args.Long("ttl-override"),
            AllowIncomplete = args.Flag("allow-incomplete"),
            Ring = RingCliOptions.Build(args),
            Connections = args.Int("connections") ?? 2,
            BatchSize = args.Int("batch-size") ?? 100,
            Window = args.Int("window") ?? 4,
            FileParallelism = args.Int("file-parallelism") ?? 2,
            MaxOperationsPerSecond = args.Double("max-ops-per-second"),
            MaxBytesPerSecond = args.Double("max-bytes-per-second"),
            Connection = CommonOptions.ConnectionOptions(args),
        };
        var sink = new ConsoleSink(console, args.Flag("json"), Format, args.Flag("quiet"));
        var cloud = CloudCliOptions.Build(args);
        if (queue is not null)
        {
            var consumer = await QueueConsumer.RunAsync(new QueueConsumerOptions
            {
                Import = options,
                QueueName = queue,
                Buckets = args.List("s3-bucket"),
                KeyPrefix = args.Value("s3-prefix"),
                MaxReceiveCount = args.Int("max-receive-count") ?? 5,
                IdleTimeout = args.Seconds("idle-timeout") ?? TimeSpan.FromSeconds(60),
                VisibilityTimeout = args.Seconds("visibility-timeout") ?? TimeSpan.FromMinutes(2),
                Cloud = cloud,
                QueueCloud = CloudCliOptions.ForQueue(args, cloud),
                WorkFolder = args.Value("work-folder"),
            }, new AwsCloudClientFactory(), sink, cancellationToken).ConfigureAwait(false);
            await sink.EmitAsync(consumer, cancellationToken).ConfigureAwait(false);
            return sink.ErrorCount > 0 || !consumer.Success ? ExitCodes.Error : ExitCodes.Success;
        }

        ImportResult result;
        var remote = paths.Where(ObjectPrefix.LooksLikeS3).ToList();
        if (bucketName is not null || remote.Count > 0)
        {
            if (remote.Count > 0 && remote.Count != paths.Count)
                throw new UsageException("Give either local paths or s3:// addresses in one import, not both.");
            var keys = args.RawValues("key");
            if (bucketName is not null && keys.Count == 0)
                throw new UsageException("--bucket-name needs --key (or use --path s3://bucket/prefix).");
            result = await S3ImportService.RunAsync(new S3ImportOptions
            {
                Import = options,
                Prefixes = remote.Select(ObjectPrefix.Parse).ToList(),
                Objects = keys.Select(k => ObjectLocation(bucketName!, k)).ToList(),
                Cloud = cloud,
                WorkFolder = args.Value("work-folder"),
            }, new AwsCloudClientFactory(), sink, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            result = await ImportService.RunAsync(options, sink, cancellationToken).ConfigureAwait(false);
        }
        await sink.EmitAsync(result, cancellationToken).ConfigureAwait(false);
        return sink.ErrorCount > 0 || !result.Success ? ExitCodes.Error : ExitCodes.Success;
    }

    private static ObjectLocation ObjectLocation(string bucket, string key)
    {
        try
        {
            return new ObjectLocation(bucket, key);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    private static void Format(object result, TextWriter w)
    {
        var c = CultureInfo.InvariantCulture;
        if (result is QueueConsumerResult q)
        {
            w.WriteLine(string.Create(c, $"{(q.Success ? "done" : "WITH FAILURES")}: queue {q.Queue} -> {q.Server} (stopped: {q.StopReason.ToLowerInvariant()})"));
            w.WriteLine(string.Create(c, $"  messages {q.Received:N0}: imported {q.Imported:N0}, failed {q.Failed:N0}, refused {q.Refused:N0}, poison {q.Poison:N0}, redelivered {q.Redelivered:N0}"));
            w.WriteLine(string.Create(c, $"  read {q.Read:N0}, stored {q.Stored:N0}, already present {q.AlreadyPresent:N0}, expired {q.Expired:N0}, too large {q.TooLarge:N0}, failed {q.FailedItems:N0}"));
            w.WriteLine(string.Create(c, $"  {Formatting.Bytes(q.Bytes)}, {Formatting.Duration(q.Duration)}, {Formatting.Rate(q.ItemsPerSecond)}, {q.MegabytesPerSecond:0.0} MiB/s"));
            foreach (var note in q.Notes)
                w.WriteLine("  note: " + CliWording.ForCli(note));
            return;
        }
        if (result is not ImportResult r)
        {
            w.WriteLine(result);
            return;
        }
        w.WriteLine(string.Create(c, $"{(r.Success ? "done" : "WITH FAILURES")}: {r.Path} -> {r.Server} ({r.Mode.ToString().ToLowerInvariant()})"));
        w.WriteLine(string.Create(c, $"  read {r.Read:N0}, stored {r.Stored:N0}, already present {r.AlreadyPresent:N0}, absent {r.Absent:N0}, expired {r.Expired:N0}, too large {r.TooLarge:N0}, failed {r.Failed:N0}"));
        w.WriteLine(string.Create(c, $"  {Formatting.Bytes(r.Bytes)} from {r.Files} files, {Formatting.Duration(r.Duration)}, {Formatting.Rate(r.ItemsPerSecond)}, {r.MegabytesPerSecond:0.0} MiB/s"));
        foreach (var file in r.FailedFiles)
            w.WriteLine("  not loaded: " + file);
        foreach (var note in r.Notes)
            w.WriteLine("  note: " + CliWording.ForCli(note));
    }
}
