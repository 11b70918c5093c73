using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Export;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Ships an export's data files while the dump goes on: each file the manifest lists is queued (a bounded
/// queue, so fetch workers wait when uploads fall behind), uploaded with its <c>cacheDumpChunk</c> metadata,
/// announced with one queue message, recorded in the upload journal, and deleted locally with -RemoveLocal.
/// The manifest is uploaded last, once every data file is up. The first failure stops the uploads and fails
/// the export at its next step; the journal lets a resumed export ship only what is left.
/// </summary>
internal sealed class ChunkPublisher : IDumpFileObserver, IAsyncDisposable
{
    /// <summary>Memory one upload may hold (SDK buffers for the parts in flight), added to the export's estimate.</summary>
    public const long MemoryPerUpload = 8L * 1024 * 1024;

    private readonly ChunkPublishOptions _options;
    private readonly string _requestId;
    private readonly string _host;
    private readonly IChunkStore _store;
    private readonly IWorkQueue? _queue;
    private readonly string? _queueUrl;
    private readonly IOperationSink _sink;
    private readonly Channel<DataFileInfo> _pending;
    private CancellationTokenSource _stop = new();
    private Task[] _workers = [];
    private PublishJournal? _journal;
    private DumpFolderInfo? _folder;
    private ExceptionDispatchInfo? _failure;
    private int _uploaded;
    private long _uploadedBytes;
    private int _announced;

    public ChunkPublisher(ChunkPublishOptions options, string requestId, string host, IChunkStore store, IWorkQueue? queue, string? queueUrl, IOperationSink sink)
    {
        _options = options;
        _requestId = requestId;
        _host = host;
        _store = store;
        _queue = queue;
        _queueUrl = queueUrl;
        _sink = sink;
        _pending = Channel.CreateBounded<DataFileInfo>(new BoundedChannelOptions(Math.Max(1, options.PendingFiles))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    /// <summary><c>s3://bucket/prefix/req_id/</c>: where this run's objects go.</summary>
    public string Destination => $"{ObjectPrefix.Scheme}{_options.Bucket}/{ChunkKeys.Folder(_options.Prefix, _requestId)}";

    public int Uploaded => Volatile.Read(ref _uploaded);

    public long UploadedBytes => Interlocked.Read(ref _uploadedBytes);

    public int Announced => Volatile.Read(ref _announced);

    public async ValueTask OnStartedAsync(DumpFolderInfo folder, CancellationToken cancellationToken)
    {
        _folder = folder;
        _stop.Dispose();
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _journal = PublishJournal.Open(folder.StateDirectory, folder.DumpId, Destination);
        var token = _stop.Token;
        _workers = Enumerable.Range(0, Math.Max(1, _options.Uploads)).Select(_ => Task.Run(() => UploadLoopAsync(token), CancellationToken.None)).ToArray();

        var left = folder.ListedFiles.Where(f => !_journal.Contains(f)).ToList();
        if (folder.ListedFiles.Count > 0)
            _sink.Verbose($"{folder.ListedFiles.Count - left.Count} of the {folder.ListedFiles.Count} data files the dump already lists were uploaded before; uploading the other {left.Count}.");
        foreach (var file in left)
        {
            if (!File.Exists(file.FullPath))
                throw new MemcacheException(MemcacheErrorKind.InvalidData, "DumpFileMissing",
                    $"Data file '{file.FullPath}' is listed in the manifest but is neither on disk nor recorded as uploaded, so it cannot be shipped. Run the export again with -Force.",
                    file.FullPath);
            await EnqueueAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask OnFilesListedAsync(IReadOnlyList<DataFileInfo> files, CancellationToken cancellationToken)
    {
        foreach (var file in files)
            await EnqueueAsync(file, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask OnCompletedAsync(CancellationToken cancellationToken)
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
        _failure?.Throw();
        cancellationToken.ThrowIfCancellationRequested();

        // Last: a reader that finds the manifest finds every file it lists.
        var folder = _folder ?? throw new InvalidOperationException("The export did not start.");
        var manifest = new ObjectLocation(_options.Bucket, ChunkKeys.ObjectKey(_options.Prefix, _requestId, ChunkKeys.ManifestName));
        await _store.UploadFileAsync(folder.ManifestPath, manifest, new Dictionary<string, string>(), null, cancellationToken).ConfigureAwait(false);
        _sink.Verbose($"Uploaded the manifest to {manifest}.");
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is what was asked.
        }
        _journal?.Dispose();
        _stop.Dispose();
    }

    private async ValueTask EnqueueAsync(DataFileInfo file, CancellationToken cancellationToken)
    {
        _failure?.Throw();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        try
        {
            await _pending.Writer.WriteAsync(file, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The uploads stopped on a failure while this file waited for room.
            _failure?.Throw();
            throw;
        }
    }

    private async Task UploadLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var file in _pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                await PublishAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled by the export or by another upload's failure.
        }
        catch (Exception ex)
        {
            var failure = ex as MemcacheException ?? new MemcacheException(MemcacheErrorKind.WriteFailed, "S3UploadFailed",
                $"Shipping a data file to {Destination} failed: {ex.Message}", Destination, ex);
            if (Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(failure), null) is null)
                await _stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task PublishAsync(DataFileInfo file, CancellationToken cancellationToken)
    {
        var location = new ObjectLocation(_options.Bucket, ChunkKeys.ObjectKey(_options.Prefix, _requestId, file.Name));
        var body = Announcement(file, location).ToJson();
        var metadata = new Dictionary<string, string> { [DumpChunkAnnouncement.MetadataName] = body };
        var upload = await _store.UploadFileAsync(file.FullPath, location, metadata, null, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _uploaded);
        Interlocked.Add(ref _uploadedBytes, upload.Bytes);
        if (_queue is not null)
        {
            await _queue.SendMessageAsync(_queueUrl!, body, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _announced);
        }
        _journal!.Add(file);
        if (_options.RemoveLocal)
        {
            try
            {
                File.Delete(file.FullPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _sink.Warning($"'{file.FullPath}' was uploaded but could not be deleted ({ex.Message}); delete it by hand to free the space.");
            }
        }
        _sink.Verbose(string.Create(CultureInfo.InvariantCulture,
            $"Uploaded {file.Name} ({file.Records} records, {file.Bytes} bytes{(upload.Parts > 1 ? $", {upload.Parts} parts" : string.Empty)}) to {location}{(_queue is null ? string.Empty : " and announced it")}."));
    }

    private DumpChunkAnnouncement Announcement(DataFileInfo file, ObjectLocation location) => new()
    {
        ReqId = _requestId,
        Host = _host,
        Location = location,
        KeysCount = file.Records,
        // The message carries a SHA-256 whatever the dump's own checksum, so consumers of any kind can verify.
        Sha256 = file.Sha256 ?? DumpChecksum.Compute(file.FullPath, ChecksumAlgorithm.Sha256),
        Records = file.Records,
        Bytes = file.Bytes,
        FormatVersion = DumpManifest.CurrentFormatVersion,
    };
}
