using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Import;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Drains a queue of chunk announcements into servers. Checks the queue, the buckets and the targets first;
/// then receives messages while it has free slots (at most <see cref="ImportOptions.FileParallelism"/> chunks
/// at once), and for each one: refuses it as poison when it was received more than MaxReceiveCount times,
/// parses it as untrusted input (a malformed message is reported and left), downloads the chunk into its slot of
/// the work folder, verifies and imports it while extending the message's visibility, and deletes the message
/// only after the import succeeded. A damaged chunk is reported and its message left to come back; a failure
/// that would hit every chunk (a target down, credentials refused) stops the consumer, and the messages it was
/// working on are made visible again at once. It stops when the queue has stayed empty for IdleTimeout.
/// </summary>
public static class QueueConsumer
{
    /// <summary>The longest time SQS hides a message (12 hours): how long a poison message is set aside.</summary>
    public static readonly TimeSpan MaxVisibility = TimeSpan.FromHours(12);

    /// <summary>The longest long-poll SQS allows.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    public static async Task<QueueConsumerResult> RunAsync(QueueConsumerOptions options, ICloudClientFactory clients, IOperationSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clients);
        Validate(options);
        using var store = clients.CreateChunkStore(options.Cloud);
        using var queue = clients.CreateWorkQueue(options.EffectiveQueueCloud);
        var queueUrl = await CloudPreflight.CheckQueueAsync(queue, options.QueueName, sink, cancellationToken).ConfigureAwait(false);
        foreach (var bucket in options.Buckets.Distinct(StringComparer.Ordinal))
            await CloudPreflight.CheckBucketAsync(store, bucket, options.KeyPrefix ?? string.Empty, sink, cancellationToken).ConfigureAwait(false);
        await CloudPreflight.CheckServersAsync(options.Import.Servers, options.Import.Connection, cancellationToken).ConfigureAwait(false);

        using var work = WorkFolder.Create(options.WorkFolder);
        using var run = new Run(options, store, queue, queueUrl, work, sink);
        return await run.ConsumeAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Validate(QueueConsumerOptions options)
    {
        ImportService.ValidateSettings(options.Import);
        if (string.IsNullOrWhiteSpace(options.QueueName))
            throw Invalid("SqsQueueMissing", "No queue was given. Name the SQS queue to consume with -SqsQueue.");
        if (options.Buckets.Count == 0)
            throw Invalid("S3BucketMissing", "Name the bucket(s) the queue's messages may point to with -S3Bucket; a message naming any other bucket is refused, so a forged message cannot make this importer read from elsewhere.");
        foreach (var bucket in options.Buckets)
        {
            if (ObjectLocation.ProblemWithBucket(bucket) is { } problem)
                throw Invalid("S3BucketInvalid", $"'{MessageText.Show(bucket ?? string.Empty)}' is not an S3 bucket name: {problem}.");
        }
        if (options.KeyPrefix is { Length: > 0 } prefix && ObjectPrefix.ProblemWithPrefix(prefix) is { } prefixProblem)
            throw Invalid("S3PrefixInvalid", $"The S3 prefix is not usable: {prefixProblem}.");
        if (options.MaxReceiveCount is < 1 or > 1000)
            throw Invalid("InvalidMaxReceiveCount", $"MaxReceiveCount must be 1-1000, not {options.MaxReceiveCount}.");
        if (options.IdleTimeout < TimeSpan.Zero)
            throw Invalid("InvalidIdleTimeout", "The idle timeout must not be negative.");
        if (options.VisibilityTimeout < TimeSpan.FromSeconds(1) || options.VisibilityTimeout > MaxVisibility)
            throw Invalid("InvalidVisibilityTimeout", "The visibility timeout must be from 1 second to 12 hours.");
    }

    private static MemcacheException Invalid(string id, string message) => new(MemcacheErrorKind.InvalidArgument, id, message);

    /// <summary>One consumer run: its counters, slots and the messages in flight.</summary>
    private sealed class Run : IDisposable
    {
        private readonly QueueConsumerOptions _options;
        private readonly IWorkQueue _queue;
        private readonly string _queueUrl;
        private readonly WorkFolder _work;
        private readonly IOperationSink _sink;
        private readonly ChunkImporter _importer;
        private readonly HashSet<string> _buckets;
        private readonly string? _keyPrefix;
        private readonly ImportTotals _totals = new();
        private readonly ProgressTracker _progress;
        private readonly Stack<int> _freeSlots;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lastActivity = Stopwatch.GetTimestamp();
        private MemcacheException? _fatal;
        private long _received, _imported, _failed, _refused, _poison, _redelivered;

        public Run(QueueConsumerOptions options, IChunkStore store, IWorkQueue queue, string queueUrl, WorkFolder work, IOperationSink sink)
        {
            _options = options;
            _queue = queue;
            _queueUrl = queueUrl;
            _work = work;
            _sink = sink;
            _importer = new ChunkImporter(store, options.Import, sink);
            _buckets = options.Buckets.ToHashSet(StringComparer.Ordinal);
            _keyPrefix = string.IsNullOrEmpty(options.KeyPrefix) ? null : options.KeyPrefix.TrimStart('/');
            _progress = new ProgressTracker(sink, "Import-MemcacheData", $"draining queue {options.QueueName}");
            _freeSlots = new Stack<int>(Enumerable.Range(0, options.Import.FileParallelism).Reverse());
        }

        public async Task<QueueConsumerResult> ConsumeAsync(CancellationToken cancellationToken)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var running = new List<Task>();
            var lastReceiveEmpty = false;
            try
            {
                while (!stop.IsCancellationRequested && Volatile.Read(ref _fatal) is null)
                {
                    running.RemoveAll(t => t.IsCompleted);
                    var free = _options.Import.FileParallelism - running.Count;
                    if (free == 0)
                    {
                        await Task.WhenAny(running).ConfigureAwait(false);
                        continue;
                    }
                    var idleFor = running.Count == 0 ? Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActivity)) : TimeSpan.Zero;
                    if (running.Count == 0 && lastReceiveEmpty && idleFor >= _options.IdleTimeout)
                        break;
                    // Idle: wait no longer than the idle time left. Busy: a long poll (at least a second, so a zero
                    // idle timeout never turns into a tight loop of receives while chunks are imported).
                    var wait = running.Count == 0 ? _options.IdleTimeout - idleFor : _options.IdleTimeout;
                    var shortest = running.Count == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(1);
                    wait = wait < shortest ? shortest : wait > MaxWait ? MaxWait : wait;

                    IReadOnlyList<QueueMessage> messages;
                    try
                    {
                        messages = await _queue.ReceiveMessagesAsync(_queueUrl, Math.Min(free, 10), _options.VisibilityTimeout, wait, stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        break;
                    }
                    catch (MemcacheException ex)
                    {
                        SetFatal(ex, stop);
                        break;
                    }
                    lastReceiveEmpty = messages.Count == 0;
                    if (messages.Count > 0)
                        Touch();
                    foreach (var message in messages)
                        running.Add(ProcessAsync(message, TakeSlot(), stop));
                }
            }
            finally
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }

            var reason = _fatal is not null ? "Failed" : cancellationToken.IsCancellationRequested ? "Cancelled" : "Idle";
            var result = Result(reason);
            if (_fatal is { } fatal)
            {
                await _sink.EmitAsync(result, CancellationToken.None).ConfigureAwait(false);
                throw new MemcacheException(fatal.Kind, fatal.ErrorId, fatal.Message + " The consumer stopped; the messages it was working on were made visible again for other consumers.", fatal.Target, fatal);
            }
            if (cancellationToken.IsCancellationRequested)
            {
                await _sink.EmitAsync(result, CancellationToken.None).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            _progress.Complete();
            return result;
        }

        public void Dispose() => _progress.Dispose();

        /// <summary>Works on one message; never throws (a failure that concerns the whole run stops it through <see cref="SetFatal"/>).</summary>
        private async Task ProcessAsync(QueueMessage message, int slot, CancellationTokenSource stop)
        {
            var token = stop.Token;
            try
            {
                Interlocked.Increment(ref _received);
                if (message.ReceiveCount > 1)
                    Interlocked.Increment(ref _redelivered);
                if (message.ReceiveCount > _options.MaxReceiveCount)
                {
                    await SetAsideAsync(message, token).ConfigureAwait(false);
                    return;
                }
                var chunk = Parse(message);
                if (chunk is null)
                {
                    Interlocked.Increment(ref _refused);
                    return;
                }

                ChunkImportOutcome outcome;
                using (var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(token))
                {
                    var beating = KeepHiddenAsync(message, heartbeat.Token);
                    try
                    {
                        outcome = await _importer.ImportAsync(chunk, _work.Slot(slot), token).ConfigureAwait(false);
                    }
                    finally
                    {
                        await heartbeat.CancelAsync().ConfigureAwait(false);
                        await beating.ConfigureAwait(false);
                    }
                }

                if (outcome.Result is { } result)
                {
                    await DeleteAsync(message, chunk, token).ConfigureAwait(false);
                    Interlocked.Increment(ref _imported);
                    _totals.Add(result);
                    _progress.Add(result.Read, result.Bytes);
                    await _sink.EmitAsync(result, token).ConfigureAwait(false);
                }
                else
                {
                    Interlocked.Increment(ref _failed);
                    var error = outcome.Error!;
                    _sink.Error(new MemcacheException(error.Kind, error.ErrorId,
                        $"{error.Message} Its message {message.MessageId} stays in the queue and comes back after its visibility timeout (receive {message.ReceiveCount} of at most {_options.MaxReceiveCount}).",
                        error.Target, error));
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                await ReleaseAsync(message).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                SetFatal(ex as MemcacheException ?? new MemcacheException(MemcacheErrorKind.ServerError, "QueueConsumerFailed",
                    $"Working on message {message.MessageId} failed unexpectedly: {ex.Message}", message.MessageId, ex), stop);
                await ReleaseAsync(message).ConfigureAwait(false);
            }
            finally
            {
                ReturnSlot(slot);
                Touch();
            }
        }

        /// <summary>The message as a chunk to import, or null (reported) when this consumer must not act on it.</summary>
        private RemoteChunk? Parse(QueueMessage message)
        {
            var parsed = DumpChunkMessageParser.Parse(message.Body, _buckets);
            string? problem = parsed.Problem;
            if (parsed.Announcement is { } announcement)
            {
                if (_keyPrefix is not null && !announcement.Location.Key.StartsWith(_keyPrefix, StringComparison.Ordinal))
                    problem = $"it names {announcement.Location}, outside the prefix '{_keyPrefix}' this consumer reads";
                else if (!ChunkLocalPath.TryResolve(_work.Root, announcement.Location.Key, out _, out var keyProblem))
                    problem = $"its object key cannot be stored in the work folder ({keyProblem})";
                else
                    return RemoteChunk.FromAnnouncement(announcement.Location, announcement);
            }
            _sink.Error(new MemcacheException(MemcacheErrorKind.InvalidData, "SqsMessageInvalid",
                $"Message {message.MessageId} on queue '{_options.QueueName}' is not a chunk announcement this consumer accepts: {problem}. It is left in the queue; once received more than {_options.MaxReceiveCount} times it is set aside as poison.",
                message.MessageId));
            return null;
        }

        /// <summary>
        /// A message that failed MaxReceiveCount times is reported and hidden for 12 hours rather than deleted: it
        /// stays for inspection (or moves to the queue's dead-letter queue, when it has a redrive policy), and
        /// consumers stop spending receives on it.
        /// </summary>
        private async Task SetAsideAsync(QueueMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _poison);
            _sink.Error(new MemcacheException(MemcacheErrorKind.InvalidData, "SqsMessagePoison", string.Create(CultureInfo.InvariantCulture,
                $"Message {message.MessageId} on queue '{_options.QueueName}' was received {message.ReceiveCount} times (more than -MaxReceiveCount {_options.MaxReceiveCount}) without being imported, so it is set aside: it stays in the queue, hidden for 12 hours. Fix the cause reported for it earlier and send it again, or delete it. Its body: {MessageText.Show(message.Body, 300)}"),
                message.MessageId));
            try
            {
                await _queue.ChangeVisibilityAsync(_queueUrl, message.ReceiptHandle, MaxVisibility, cancellationToken).ConfigureAwait(false);
            }
            catch (MemcacheException ex)
            {
                _sink.Warning($"Could not hide poison message {message.MessageId} ({ex.Message}); it will be reported again.");
            }
        }

        /// <summary>Extends the message's visibility every third of the timeout while its chunk is worked on.</summary>
        private async Task KeepHiddenAsync(QueueMessage message, CancellationToken cancellationToken)
        {
            var period = TimeSpan.FromSeconds(Math.Max(1, Math.Floor(_options.VisibilityTimeout.TotalSeconds / 3)));
            try
            {
                while (true)
                {
                    await Task.Delay(period, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        await _queue.ChangeVisibilityAsync(_queueUrl, message.ReceiptHandle, _options.VisibilityTimeout, cancellationToken).ConfigureAwait(false);
                    }
                    catch (MemcacheException ex)
                    {
                        _sink.Warning($"Could not extend the visibility of message {message.MessageId} ({ex.Message}); another consumer may take it and import its chunk again (harmless with -Mode Add).");
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The chunk is done.
            }
        }

        private async Task DeleteAsync(QueueMessage message, RemoteChunk chunk, CancellationToken cancellationToken)
        {
            try
            {
                await _queue.DeleteMessageAsync(_queueUrl, message.ReceiptHandle, cancellationToken).ConfigureAwait(false);
            }
            catch (MemcacheException ex) when (ex.ErrorId == "SqsReceiptInvalid")
            {
                _sink.Warning($"{chunk.Location} was imported, but its message {message.MessageId} could not be deleted ({ex.Message}); it will be imported again, which mode Add makes harmless.");
            }
        }

        /// <summary>Makes a message visible again at once, so another consumer takes it without waiting for its timeout.</summary>
        private async Task ReleaseAsync(QueueMessage message)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _queue.ChangeVisibilityAsync(_queueUrl, message.ReceiptHandle, TimeSpan.Zero, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MemcacheException or OperationCanceledException)
            {
                // It comes back after its visibility timeout anyway.
            }
        }

        private void SetFatal(Exception error, CancellationTokenSource stop)
        {
            var failure = error as MemcacheException ?? new MemcacheException(MemcacheErrorKind.ServerError, "QueueConsumerFailed", error.Message, null, error);
            if (Interlocked.CompareExchange(ref _fatal, failure, null) is null)
                stop.Cancel();
        }

        private void Touch() => Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());

        private int TakeSlot()
        {
            lock (_freeSlots)
                return _freeSlots.Pop();
        }

        private void ReturnSlot(int slot)
        {
            lock (_freeSlots)
                _freeSlots.Push(slot);
        }

        private QueueConsumerResult Result(string reason)
        {
            var totals = _totals.ToResult(_options.Import, _options.QueueName, _clock.Elapsed);
            return new QueueConsumerResult
            {
                Queue = _options.QueueName,
                Server = totals.Server,
                Received = Interlocked.Read(ref _received),
                Imported = Interlocked.Read(ref _imported),
                Failed = Interlocked.Read(ref _failed),
                Refused = Interlocked.Read(ref _refused),
                Poison = Interlocked.Read(ref _poison),
                Redelivered = Interlocked.Read(ref _redelivered),
                Read = totals.Read,
                Stored = totals.Stored,
                AlreadyPresent = totals.AlreadyPresent,
                Expired = totals.Expired,
                TooLarge = totals.TooLarge,
                FailedItems = totals.Failed,
                Bytes = totals.Bytes,
                Duration = totals.Duration,
                ItemsPerSecond = totals.ItemsPerSecond,
                MegabytesPerSecond = totals.MegabytesPerSecond,
                StopReason = reason,
                Notes = totals.Notes,
            };
        }
    }
}
