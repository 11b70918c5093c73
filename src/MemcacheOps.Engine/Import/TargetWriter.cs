using System.Collections.Concurrent;
using System.Threading.Channels;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Import;

/// <summary>Outcome counts of the stores sent to one target, updated from its connections' readers.</summary>
public sealed class StoreCounters
{
    private long _sent;
    private long _stored;
    private long _notStored;
    private long _tooLarge;
    private long _outOfMemory;
    private long _failed;
    private long _bytes;

    public long Sent => Interlocked.Read(ref _sent);
    public long Stored => Interlocked.Read(ref _stored);
    public long NotStored => Interlocked.Read(ref _notStored);
    public long TooLarge => Interlocked.Read(ref _tooLarge);
    public long OutOfMemory => Interlocked.Read(ref _outOfMemory);
    public long Failed => Interlocked.Read(ref _failed);
    public long Bytes => Interlocked.Read(ref _bytes);
    public string? FirstFailure { get; private set; }

    internal void Add(StoreBatch batch)
    {
        Interlocked.Add(ref _sent, batch.Count);
        Interlocked.Add(ref _stored, batch.Stored);
        Interlocked.Add(ref _notStored, batch.NotStored);
        Interlocked.Add(ref _tooLarge, batch.TooLarge);
        Interlocked.Add(ref _outOfMemory, batch.OutOfMemory);
        Interlocked.Add(ref _failed, batch.Failed);
        Interlocked.Add(ref _bytes, batch.ValueBytes);
        if (batch.FirstFailure is not null && FirstFailure is null)
            FirstFailure = batch.FirstFailure;
    }
}

/// <summary>
/// Writes batches of <c>ms</c> commands to one target server over several connections, each a
/// pipeline with its own reader and writer. Batches come through one bounded channel, so readers of
/// dump files wait (rather than buffer without limit) when the target is slower. The first connection
/// that breaks (a dead, frozen or trickling target) closes the channel with its failure, which stops the
/// other connections and makes every producer's <see cref="SendAsync"/> throw it at once.
/// </summary>
public sealed class TargetWriter : IAsyncDisposable
{
    private readonly Channel<StoreBatch> _input;
    private readonly ConcurrentBag<StoreBatch> _free = [];
    private readonly List<MemcachedConnection> _connections;
    private readonly Task _run;
    private readonly int _batchBytes;
    private Exception? _failure;

    private TargetWriter(ServerEndpoint server, ServerSettings settings, List<MemcachedConnection> connections, int window, IThrottle throttle, int batchBytes, CancellationToken cancellationToken)
    {
        Server = server;
        Settings = settings;
        _connections = connections;
        _batchBytes = batchBytes;
        _input = Channel.CreateBounded<StoreBatch>(new BoundedChannelOptions(connections.Count * window * 2) { SingleReader = false, SingleWriter = false });
        var handler = new MetaSetHandler(batch =>
        {
            Counters.Add(batch);
            batch.Reset();
            _free.Add(batch);
        });
        _run = Task.WhenAll(connections.Select(c => new MetaPipeline<StoreBatch>(c, handler, window, throttle).RunAsync(_input.Reader, cancellationToken, Fail)));
    }

    /// <summary>A broken connection closes the channel, so a producer waiting for room fails instead of hanging.</summary>
    private void Fail(Exception failure)
    {
        Interlocked.CompareExchange(ref _failure, failure, null);
        _input.Writer.TryComplete(failure);
    }

    public ServerEndpoint Server { get; }

    /// <summary>The target's settings; <see cref="ServerSettings.ItemSizeMax"/> bounds what can be stored.</summary>
    public ServerSettings Settings { get; }

    public StoreCounters Counters { get; } = new();

    /// <summary>Completes when every connection has stopped; faulted when one broke.</summary>
    public Task Completion => _run;

    /// <summary>The failure of the first connection that broke, if any.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    public static async Task<TargetWriter> StartAsync(ServerEndpoint server, int connections, int window, IThrottle throttle, ConnectionOptions options,
        int batchBytes, CancellationToken cancellationToken)
    {
        var opened = new List<MemcachedConnection>();
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var (connection, info) = await ServerProbe.ConnectAsync(server, options, cancellationToken).ConfigureAwait(false);
                opened.Add(connection);
                if (!info.SupportsMetaCommands)
                    throw new MemcacheException(MemcacheErrorKind.Unsupported, "MemcacheMetaUnsupported",
                        $"Server {server} runs memcached {info.VersionText}; writing needs meta commands (1.6 or later).", server.ToString());
            }
            var settings = await StatsService.ReadSettingsAsync(opened[0], cancellationToken).ConfigureAwait(false);
            return new TargetWriter(server, settings, opened, window, throttle, batchBytes, cancellationToken);
        }
        catch
        {
            foreach (var c in opened)
                c.Dispose();
            throw;
        }
    }

    /// <summary>A cleared batch to fill.</summary>
    public StoreBatch Rent() => _free.TryTake(out var batch) ? batch : new StoreBatch(_batchBytes + 64 * 1024);

    public async ValueTask SendAsync(StoreBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await _input.Writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException) when (Volatile.Read(ref _failure) is { } failure)
        {
            // The connection's failure, at once: the other connections may still be stopping.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Waits until everything sent has been answered.</summary>
    public async Task CompleteAsync()
    {
        _input.Writer.TryComplete();
        await _run.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _input.Writer.TryComplete();
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch
        {
            // Disposal after a failure: the failure was already reported.
        }
        foreach (var connection in _connections)
            connection.Dispose();
        while (_free.TryTake(out var batch))
            batch.Dispose();
    }
}
