using System.Globalization;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;

namespace MemcacheOps.Cli.Commands;

/// <summary><c>memcacheops export</c>: the same as Export-MemcacheData.</summary>
public sealed class ExportCommand : ICommand
{
    public string Name => "export";

    public string Summary => "Dump every item of a server to a folder (V0 data files, manifest, checksums); resumable.";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        .. CommonOptions.Connection,
        new("path", OptionKind.Value, "The dump folder.", "output-dir") { ValueName = "DIR" },
        new("config", OptionKind.Value, "A cachemover YAML configuration file; options given here override it.", "config-file") { ValueName = "FILE" },
        new("connections", OptionKind.Value, "Fetch connections (cachemover: threads). Default 4.", "threads") { ValueName = "N" },
        new("batch-size", OptionKind.Value, "Keys per pipelined mg batch (cachemover: bulk_get_threshold). Default 100.", "bulk-get-threshold") { ValueName = "N" },
        CommonOptions.Window,
        new("memory-limit", OptionKind.Value, "Bytes of buffers the export may use (cachemover: memlimit). Default 256 MiB.", "memlimit") { ValueName = "BYTES" },
        new("key-file-size", OptionKind.Value, "Largest size of a key file in bytes (the first ones start at 256 KiB and double). Default 4 MiB.") { ValueName = "BYTES" },
        new("data-file-size", OptionKind.Value, "Soft size of each data file in bytes. Default 256 MiB.") { ValueName = "BYTES" },
        new("only-expire-after", OptionKind.Value, "Only items that never expire or live longer than SECONDS (cachemover: only_expire_after_s).", "only-expire-after-s") { ValueName = "SECONDS" },
        new("request-id", OptionKind.Value, "An identifier for this dump (cachemover: req_id).", "req-id") { ValueName = "ID" },
        new("resume", OptionKind.Flag, "Finish an interrupted dump in --path without redoing finished key files (--resume=false overrides checkpoint_resume in --config).", "checkpoint-resume"),
        new("force", OptionKind.Flag, "Replace a dump already in --path."),
        new("include", OptionKind.Value, "Only keys matching this wildcard (or regex with --regex).", "pattern") { ValueName = "PATTERN" },
        CommonOptions.Exclude,
        new("regex", OptionKind.Flag, "Treat --include and --exclude as regular expressions."),
        new("ring-server", OptionKind.List, "Servers of the ring or pool for filtering (cachemover: all_ips), in the clients' order (mcrouter pools index into it).", "all-ips") { ValueName = "H:P" },
        new("destination-server", OptionKind.List, "Keep only keys the ring assigns to these servers (cachemover: dest_ips).", "dest-ips") { ValueName = "H:P" },
        .. RingCliOptions.All,
        new("key", OptionKind.List, "Dump only these keys instead of listing the server.") { ValueName = "KEY" },
        KeyOptions.KeyFile,
        new("checksum", OptionKind.Value, "Data file checksum: crc32c (default, hardware-accelerated) or sha256.") { ValueName = "ALGORITHM" },
        new("layout", OptionKind.Value, "native (default) or cachemover (its keyfile/, datafiles_completed/ with MD5 names, DONE).") { ValueName = "LAYOUT" },
        new("max-ops-per-second", OptionKind.Value, "Limit fetch operations per second on the source.") { ValueName = "N" },
        new("max-bytes-per-second", OptionKind.Value, "Limit the value bytes per second each source sends (the values fetched), over all fetch connections.") { ValueName = "N" },
        CommonOptions.ListingMethod,
        new("s3-bucket", OptionKind.Value, "Upload each data file to this S3 bucket as soon as it is complete (cachemover: s3_bucket).") { ValueName = "BUCKET" },
        new("s3-prefix", OptionKind.Value, "Key prefix: objects are PREFIX/REQUEST-ID/FILE (cachemover: s3_final_path).", "s3-final-path") { ValueName = "PREFIX" },
        new("sqs-queue", OptionKind.Value, "Announce each uploaded file with one message on this SQS queue (cachemover: sqs_queue); the queue must exist.") { ValueName = "NAME" },
        new("remove-local", OptionKind.Flag, "Delete each local data file once uploaded and announced, so disk use stays bounded."),
        .. CloudCliOptions.Aws,
    ];

    public async Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken)
    {
        var keys = KeyOptions.Build(args, out var keyOwner);
        using var _ = keyOwner;
        var (options, publish) = ExportOptionsBuilder.Build(args, keys);
        var sink = new ConsoleSink(console, args.Flag("json"), Format, args.Flag("quiet"));
        var result = publish is null
            ? await ExportService.RunAsync(options, sink, cancellationToken).ConfigureAwait(false)
            : await DistributedExport.RunAsync(options, publish, new AwsCloudClientFactory(), sink, cancellationToken).ConfigureAwait(false);
        await sink.EmitAsync(result, cancellationToken).ConfigureAwait(false);
        return sink.ErrorCount > 0 ? ExitCodes.Error : ExitCodes.Success;
    }

    internal static void Format(object result, TextWriter w)
    {
        var c = CultureInfo.InvariantCulture;
        if (result is not ExportResult r)
        {
            w.WriteLine(result);
            return;
        }
        w.WriteLine(string.Create(c, $"{(r.Complete ? "complete" : "INCOMPLETE")}: {r.Server} -> {r.Path} ({r.Layout})"));
        w.WriteLine(string.Create(c, $"  listed {r.Listed:N0}, dumped {r.Dumped:N0}, missing {r.Missing:N0}, filtered {r.Filtered:N0}, skipped {r.Skipped:N0}"));
        w.WriteLine(string.Create(c, $"  {Formatting.Bytes(r.Bytes)} in {r.Files} files, {Formatting.Duration(r.Duration)}, {Formatting.Rate(r.ItemsPerSecond)}, {r.MegabytesPerSecond:0.0} MiB/s, peak memory {Formatting.Bytes(r.PeakMemoryBytes)}"));
        if (r.Destination is not null)
            w.WriteLine(string.Create(c, $"  uploaded {r.Uploaded} files ({Formatting.Bytes(r.UploadedBytes)}) to {r.Destination}, {r.Announced} messages sent"));
        foreach (var note in r.Notes)
            w.WriteLine("  note: " + CliWording.ForCli(note));
    }
}
