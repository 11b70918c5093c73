using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Export;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Export to S3 (Export-MemcacheData -S3Bucket, <c>memcacheops export --s3-bucket</c>, cachemover's is_s3_dump):
/// checks the bucket and queue first, then runs the ordinary export with a <see cref="ChunkPublisher"/> that
/// uploads and announces each data file as soon as the manifest lists it, and uploads the manifest last.
/// </summary>
public static class DistributedExport
{
    /// <summary>Longest request id: it is part of every object key and message.</summary>
    public const int MaxRequestIdLength = 128;

    /// <summary>Longest key prefix, so that prefix, request id and file name stay within S3's 1024-byte keys.</summary>
    public const int MaxPrefixBytes = 512;

    /// <summary>S3 allows 2 KB of user metadata per object; the announcement must fit.</summary>
    private const int MaxMetadataBytes = 2000;

    public static async Task<ExportResult> RunAsync(ExportOptions export, ChunkPublishOptions publish, ICloudClientFactory clients,
        IOperationSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentNullException.ThrowIfNull(clients);
        Validate(publish);
        var layout = DumpLayoutWriter.For(export.Layout, Path.GetFullPath(export.Path), export.Checksum);
        var previous = export.Resume ? TryReadManifest(layout.StateDirectory) : null;
        var requestId = export.RequestId
            ?? (previous is not null && previous.Settings.TryGetValue("requestId", out var recorded) ? recorded : null)
            ?? NewRequestId();
        CheckRequestId(requestId, publish);
        export = export with { RequestId = requestId };
        var needed = ExportService.EstimateMemory(export) + publish.Uploads * ChunkPublisher.MemoryPerUpload;
        if (needed > export.MemoryLimit)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "MemoryLimitTooLow",
                $"These settings need about {needed / (1024 * 1024)} MiB (the export's buffers plus {publish.Uploads} uploads of about {ChunkPublisher.MemoryPerUpload / (1024 * 1024)} MiB), more than the memory limit of {export.MemoryLimit / (1024 * 1024)} MiB. Lower the connections, or raise the memory limit.");

        // Before any key is listed: credentials, bucket and queue.
        using var store = clients.CreateChunkStore(publish.Cloud);
        using var queue = publish.QueueName is null ? null : clients.CreateWorkQueue(publish.EffectiveQueueCloud);
        await CloudPreflight.CheckBucketAsync(store, publish.Bucket, ChunkKeys.Folder(publish.Prefix, requestId), sink, cancellationToken).ConfigureAwait(false);
        var queueUrl = queue is null ? null : await CloudPreflight.CheckQueueAsync(queue, publish.QueueName!, sink, cancellationToken).ConfigureAwait(false);

        await using var publisher = new ChunkPublisher(publish, requestId, DumpLayoutWriter.LocalAddress(), store, queue, queueUrl, sink);
        var result = previous is { Complete: true }
            ? await PublishFinishedDumpAsync(export, previous, layout, publisher, cancellationToken).ConfigureAwait(false)
            : await ExportService.RunAsync(export, sink, publisher, cancellationToken).ConfigureAwait(false);
        result.Destination = publisher.Destination;
        result.Uploaded = publisher.Uploaded;
        result.UploadedBytes = publisher.UploadedBytes;
        result.Announced = publisher.Announced;
        return result;
    }

    /// <summary>A new request id: the UTC time and a random suffix, such as 20240501T120000Z-3f9a1c.</summary>
    public static string NewRequestId()
        => string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}");

    private static void Validate(ChunkPublishOptions publish)
    {
        if (ObjectLocation.ProblemWithBucket(publish.Bucket) is { } bucketProblem)
            throw Invalid("S3BucketInvalid", $"'{MessageText.Show(publish.Bucket ?? string.Empty)}' is not an S3 bucket name: {bucketProblem}.");
        if (publish.Prefix is null || publish.Prefix.Any(char.IsControl) || System.Text.Encoding.UTF8.GetByteCount(publish.Prefix) > MaxPrefixBytes)
            throw Invalid("S3PrefixInvalid", $"The S3 prefix must be at most {MaxPrefixBytes} bytes without control characters.");
        if (publish.Uploads is < 1 or > 32)
            throw Invalid("InvalidUploads", $"Uploads must be 1-32, not {publish.Uploads}.");
        if (publish.PendingFiles is < 1 or > 1024)
            throw Invalid("InvalidPendingFiles", $"Pending files must be 1-1024, not {publish.PendingFiles}.");
    }

    /// <summary>The request id names folders and messages: letters, digits, '.', '_' and '-' only, and the announcement must fit in S3 metadata.</summary>
    private static void CheckRequestId(string requestId, ChunkPublishOptions publish)
    {
        if (requestId.Length is 0 or > MaxRequestIdLength || !requestId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-') || requestId is "." or "..")
            throw Invalid("RequestIdInvalid",
                $"The request id '{MessageText.Show(requestId)}' cannot name S3 objects: use 1-{MaxRequestIdLength} letters, digits, '.', '_' or '-' (cachemover: req_id).");
        // The longest file name an export writes is well under 100 characters.
        var sample = new DumpChunkAnnouncement
        {
            ReqId = requestId,
            Host = "0000:0000:0000:0000:0000:0000:0000:0000",
            Location = new ObjectLocation(publish.Bucket, ChunkKeys.ObjectKey(publish.Prefix, requestId, new string('f', 100))),
            KeysCount = long.MaxValue,
            Sha256 = new string('0', 64),
            Records = long.MaxValue,
            Bytes = long.MaxValue,
            FormatVersion = DumpManifest.CurrentFormatVersion,
        };
        if (System.Text.Encoding.UTF8.GetByteCount(sample.ToJson()) > MaxMetadataBytes)
            throw Invalid("S3PrefixInvalid", $"The S3 prefix and request id are too long for the cacheDumpChunk metadata entry (S3 allows 2 KB); shorten the prefix.");
    }

    private static DumpManifest? TryReadManifest(string stateDirectory)
    {
        if (!File.Exists(NativeLayout.ManifestPath(stateDirectory)))
            return null;
        try
        {
            return ManifestStore.Read(stateDirectory);
        }
        catch (MemcacheException)
        {
            // The export reports an unreadable manifest itself.
            return null;
        }
    }

    /// <summary>
    /// -Resume on a dump that finished on disk but not in S3 (its last uploads failed): ships the files the
    /// journal lacks, then the manifest, without touching the servers.
    /// </summary>
    private static async Task<ExportResult> PublishFinishedDumpAsync(ExportOptions export, DumpManifest manifest, DumpLayoutWriter layout,
        ChunkPublisher publisher, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var files = manifest.Files
            .Select(f => new DataFileInfo(f.Name, Path.Combine(layout.DataDirectory, f.Name), f.Records, f.Bytes, manifest.ChecksumKind, f.ChecksumFor(manifest.ChecksumKind) ?? string.Empty, null))
            .ToList();
        await publisher.OnStartedAsync(new DumpFolderInfo(layout.Root, layout.StateDirectory, layout.DataDirectory, DumpFolderInfo.DumpIdOf(manifest), files), cancellationToken).ConfigureAwait(false);
        await publisher.OnCompletedAsync(cancellationToken).ConfigureAwait(false);
        var totals = manifest.Totals;
        return new ExportResult
        {
            Server = string.Join(",", manifest.Sources.Select(s => s.Server)),
            Path = layout.Root,
            Layout = export.Layout,
            RequestId = export.RequestId,
            Complete = true,
            Listed = totals.Listed,
            Dumped = totals.Dumped,
            Missing = totals.Missing,
            Filtered = totals.Filtered,
            Skipped = totals.Skipped,
            Bytes = totals.Bytes,
            Files = files.Count,
            Duration = clock.Elapsed,
            PeakMemoryBytes = PeakMemory.Bytes(),
            DataFiles = files.Select(f => f.FullPath).ToList(),
            Notes = ["The dump was already complete on disk; only the files not yet in S3 were uploaded, then the manifest."],
        };
    }

    private static MemcacheException Invalid(string id, string message) => new(MemcacheErrorKind.InvalidArgument, id, message);
}
