using System.Threading.Channels;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// A server, or a ring of servers, as one side of a comparison. Enumerating lists every server
/// (<c>lru_crawler metadump hash</c>, spooled so the listing never stalls) and reads each key's item
/// from the server that listed it; looking up asks each key's ketama owner only, as clients would.
/// </summary>
internal sealed class ServerSide : ICompareSide
{
    /// <summary>Servers listed at once: each listing holds a spill buffer and a crawler on its server.</summary>
    private const int ListingParallelism = 4;

    private readonly ServerEndpoint[] _servers;
    private readonly string[] _names;
    private readonly IOwnerLookup? _ring;
    private readonly ComparisonOptions _options;
    private readonly SampleFilter _sample;
    private readonly ThrottleRegistry? _throttles;
    private readonly CompareRun _run;
    private readonly IOperationSink _diagnostics;
    private ServerConnections[] _connections = [];

    public ServerSide(CompareSide side, ComparisonOptions options, SampleFilter sample, ThrottleRegistry? throttles, CompareRun run, IOperationSink diagnostics)
    {
        _servers = side.Servers.ToArray();
        _names = _servers.Select(s => s.ToString()).ToArray();
        _ring = _servers.Length > 1 ? options.Ring.Create(_servers) : null;
        _options = options;
        _sample = sample;
        _throttles = throttles;
        _run = run;
        _diagnostics = diagnostics;
    }

    private long _keysMissing;

    public string Name => string.Join(",", _names);

    /// <summary>Given keys (a key file, piped keys) that this side's servers did not hold when it was last enumerated.</summary>
    public long KeysMissing => Interlocked.Read(ref _keysMissing);

    public bool FlagsTruncated => false;

    public bool LookupsNeedPreparation => false;

    public int ServerCount => _servers.Length;

    public long? EstimatedItems => _connections.Length == 0 ? null : (long)(_connections.Sum(c => c.CurrentItems) * _sample.Fraction);

    public string ServerName(int index) => _names[index];

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var opening = _servers.Select(server => ServerConnections.OpenAsync(server, _options,
            _throttles is null ? Unthrottled.Instance : _throttles.GetThrottle(server), _run, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(opening).ConfigureAwait(false);
        }
        catch
        {
            foreach (var task in opening.Where(t => t.IsCompletedSuccessfully))
                await task.Result.DisposeAsync().ConfigureAwait(false);
            // The first server's failure in list order, so the message is stable.
            await opening.First(t => !t.IsCompletedSuccessfully).ConfigureAwait(false);
            throw;
        }
        _connections = opening.Select(t => t.Result).ToArray();
    }

    public Task PrepareLookupsAsync(ProgressTracker? progress, CancellationToken cancellationToken) => Task.CompletedTask;

    public void ReleaseLookups()
    {
    }

    public async Task EnumerateAsync(CompareBatchPool pool, ChannelWriter<CompareBatch> output, bool withValues, CancellationToken cancellationToken)
    {
        var pending = new PendingCounter();
        void OnEnumerated(ServerRequest request)
        {
            if (request.Errors > 0)
                _run.Fail(FetchFailed(request));
            output.TryWrite(request.Batch);
            pending.Done();
        }
        using var gate = new SemaphoreSlim(ListingParallelism);
        var listings = Enumerable.Range(0, _servers.Length).Select(server => Task.Run(async () =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await EnumerateServerAsync(server, pool, withValues, pending, OnEnumerated, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(listings).ConfigureAwait(false);
        }
        finally
        {
            pending.ProducerDone();
        }
        await pending.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task EnumerateServerAsync(int server, CompareBatchPool pool, bool withValues, PendingCounter pending,
        Action<ServerRequest> onEnumerated, CancellationToken cancellationToken)
    {
        CompareBatch? current = null;
        var listing = _options.Listing with { Connection = _options.Connection };
        try
        {
            var summary = await KeyListingService.ScanAsync(_servers[server], _options.Keys ?? KeySource.Listing, listing, _diagnostics, async (chunk, token) =>
            {
                var position = 0;
                while (position < chunk.Length)
                {
                    current ??= await pool.RentAsync(token).ConfigureAwait(false);
                    position = Fill(chunk.Span, position, current, server);
                    if (current.IsFull)
                    {
                        Submit(current, server, withValues, pending, onEnumerated);
                        current = null;
                    }
                }
                return true;
            }, cancellationToken).ConfigureAwait(false);
            if (current is { Count: > 0 })
            {
                Submit(current, server, withValues, pending, onEnumerated);
                current = null;
            }
            Interlocked.Add(ref _keysMissing, summary.Missing);
        }
        finally
        {
            if (current is not null)
                pool.Return(current);
        }
    }

    /// <summary>Adds sampled keys from the listing lines at <paramref name="position"/> until the batch is full; returns the new position.</summary>
    private int Fill(ReadOnlySpan<byte> lines, int position, CompareBatch batch, int server)
    {
        Span<byte> key = stackalloc byte[KeyText.MaxDisplayLength];
        while (!batch.IsFull && MetadumpLines.TryReadNext(lines, ref position, key, out var entry, out var keyBytes))
        {
            if (!_sample.Includes(keyBytes))
                continue;
            if (!KeyCodec.IsAddressable(keyBytes))
            {
                _diagnostics.Warning($"Not compared: a key on {_names[server]} that memcached's meta protocol cannot address ({KeyCodec.WhyNotAddressable(keyBytes)}): {KeyText.ToDisplayString(keyBytes, out _)}");
                continue;
            }
            batch.Add(keyBytes, server, entry.Size);
        }
        return position;
    }

    private void Submit(CompareBatch batch, int server, bool withValues, PendingCounter pending, Action<ServerRequest> onEnumerated)
    {
        var request = batch.EnumerationState as ServerRequest;
        if (request is null)
            batch.EnumerationState = request = new ServerRequest(batch.Keys.Capacity);
        request.Start(batch, server, fillEnumerated: true, withValues, onEnumerated);
        for (var i = 0; i < batch.Count; i++)
            request.Add(i);
        pending.Add();
        _connections[server].Submit(request);
    }

    public ValueTask LookupAsync(CompareBatch batch, bool withValues, CancellationToken cancellationToken)
    {
        var lookup = batch.LookupState as RingLookup;
        if (lookup is null || lookup.Owner != this)
            batch.LookupState = lookup = new RingLookup(this, _servers.Length, batch.Keys.Capacity);
        lookup.Begin(batch, withValues);
        var keys = batch.Keys;
        for (var i = 0; i < batch.Count; i++)
        {
            if (!batch.Enumerated[i].Present)
                continue;
            var owner = _ring?.GetOwnerIndex(keys.Key(i)) ?? 0;
            batch.OtherServer[i] = owner;
            lookup.Parts[owner].Add(i);
        }
        return lookup.SubmitAsync(cancellationToken);
    }

    private MemcacheException FetchFailed(ServerRequest request) => new(MemcacheErrorKind.ServerError, "MemcacheFetchFailed",
        $"Server {_names[request.Server]} answered a read with an error: {request.FirstError}. Check the server's log; run the comparison again.", _names[request.Server]);

    public async ValueTask DisposeAsync()
    {
        foreach (var connections in _connections)
            await connections.DisposeAsync().ConfigureAwait(false);
        _connections = [];
    }

    /// <summary>One batch's lookup split by owner: one request per server, reused with the batch.</summary>
    private sealed class RingLookup
    {
        private readonly Action<ServerRequest> _onPart;
        private TaskCompletionSource? _done;
        private int _pending;

        public RingLookup(ServerSide owner, int servers, int capacity)
        {
            Owner = owner;
            Parts = new ServerRequest[servers];
            for (var i = 0; i < servers; i++)
                Parts[i] = new ServerRequest(capacity);
            _onPart = OnPart;
        }

        public ServerSide Owner { get; }

        public ServerRequest[] Parts { get; }

        public void Begin(CompareBatch batch, bool withValues)
        {
            for (var i = 0; i < Parts.Length; i++)
                Parts[i].Start(batch, i, fillEnumerated: false, withValues, _onPart);
        }

        public ValueTask SubmitAsync(CancellationToken cancellationToken)
        {
            var count = 0;
            foreach (var part in Parts)
            {
                if (part.Count > 0)
                    count++;
            }
            if (count == 0)
                return ValueTask.CompletedTask;
            // Set before anything is sent: a part may complete on a reader thread at once.
            _pending = count;
            var done = _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (var part in Parts)
            {
                if (part.Count > 0)
                    Owner._connections[part.Server].Submit(part);
            }
            return new ValueTask(done.Task.WaitAsync(cancellationToken));
        }

        private void OnPart(ServerRequest part)
        {
            if (part.Errors > 0)
                Owner._run.Fail(Owner.FetchFailed(part));
            if (Interlocked.Decrement(ref _pending) == 0)
                _done!.TrySetResult();
        }
    }
}
