using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Move;

/// <summary>
/// Samples every destination's <c>evictions</c> counter (once a second by default) while the move
/// runs and applies the eviction policy: report, pause writing until the counter stays flat, or stop
/// writing to that destination. Evictions caused by live traffic count too: the counter cannot tell.
/// </summary>
internal sealed class EvictionWatcher : IAsyncDisposable
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(10);

    private readonly MoveContext _move;
    private readonly Watched[] _watched;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private EvictionWatcher(MoveContext move)
    {
        _move = move;
        _watched = move.Destinations.Select(d => new Watched(d)).ToArray();
    }

    /// <summary>Takes each destination's baseline, then samples in the background.</summary>
    public static async Task<EvictionWatcher> StartAsync(MoveContext move, CancellationToken cancellationToken)
    {
        var watcher = new EvictionWatcher(move);
        await Task.WhenAll(watcher._watched.Where(w => !w.Destination.Failed).Select(w => watcher.SampleAsync(w, cancellationToken))).ConfigureAwait(false);
        watcher._loop = Task.Run(() => watcher.LoopAsync(watcher._stop.Token), CancellationToken.None);
        return watcher;
    }

    private async Task LoopAsync(CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_move.Options.EvictionSampleInterval, token).ConfigureAwait(false);
                await Task.WhenAll(_watched.Select(async w =>
                {
                    if (w.Destination.Failed)
                        return;
                    if (await SampleAsync(w, token).ConfigureAwait(false) is { } evictions)
                        Apply(w, evictions);
                })).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads the counter; null when the destination cannot be read (its writer reports that failure).</summary>
    private async Task<long?> SampleAsync(Watched w, CancellationToken token)
    {
        try
        {
            w.Connection ??= (await ServerProbe.ConnectAsync(w.Destination.Endpoint, _move.Options.Connection, token).ConfigureAwait(false)).Connection;
            var pairs = await StatsReader.ReadAsync(w.Connection, StatsGroup.General, token).ConfigureAwait(false);
            foreach (var (name, value) in pairs)
            {
                if (name == "evictions" && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var evictions))
                {
                    if (w.Baseline < 0)
                        w.Baseline = w.Last = evictions;
                    return evictions;
                }
            }
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
        {
            // Unreachable for now: the writer reports a dead destination; sampling retries next time.
            w.Connection?.Dispose();
            w.Connection = null;
            return null;
        }
    }

    private void Apply(Watched w, long evictions)
    {
        var destination = w.Destination;
        var now = w.Clock.Elapsed;
        destination.Evictions = Math.Max(0, evictions - w.Baseline);
        if (evictions > w.Last)
        {
            var recent = evictions - w.Last;
            w.Last = evictions;
            w.LastIncrease = now;
            switch (_move.Options.EvictionPolicy)
            {
                case MoveEvictionPolicy.Continue:
                    if (w.LastWarning is null || now - w.LastWarning >= WarningInterval)
                    {
                        w.LastWarning = now;
                        _move.Sink.Warning($"Destination {destination.Endpoint} has evicted {destination.Evictions:N0} item(s) since the move started ({recent:N0} just now): it is out of memory, so items are being dropped. Give it more memory (-m), add destinations, or use -EvictionPolicy Pause or Abort.");
                    }
                    break;
                case MoveEvictionPolicy.Abort:
                    MoveService.FailDestination(_move, destination,
                        $"Stopped writing to it: it evicted {destination.Evictions:N0} item(s) during the move (-EvictionPolicy Abort). Give it more memory (-m) or add destinations, then run the move again.");
                    return;
                case MoveEvictionPolicy.Pause:
                    if (w.PausedSince is null)
                    {
                        w.PausedSince = now;
                        destination.Gate.Pause();
                        _move.Sink.Warning($"Destination {destination.Endpoint} evicted {recent:N0} item(s); writing to it is paused until its evictions stop (-EvictionPolicy Pause).");
                    }
                    break;
            }
        }
        if (w.PausedSince is { } since)
        {
            if (now - w.LastIncrease >= _move.Options.EvictionQuietPeriod)
            {
                w.PausedSince = null;
                destination.Gate.Resume();
                _move.Sink.Verbose($"Destination {destination.Endpoint}: no evictions for {_move.Options.EvictionQuietPeriod.TotalSeconds:0.#} s, writing resumes.");
            }
            else if (now - since >= _move.Options.EvictionMaxPause)
            {
                MoveService.FailDestination(_move, destination, $"Stopped writing to it: it kept evicting for {_move.Options.EvictionMaxPause.TotalSeconds:0} s while paused ({destination.Evictions:N0} evictions during the move; live traffic fills it). Give it more memory (-m) or add destinations, then run the move again.");
            }
        }
    }

    public ValueTask DisposeAsync() => StopAsync(CancellationToken.None);

    /// <summary>
    /// Stops sampling and records each destination's final count, all destinations at once, each within
    /// the read timeout; none when <paramref name="cancellationToken"/> is cancelled (the move was stopped:
    /// a frozen destination must not hold the stop up).
    /// </summary>
    public async ValueTask StopAsync(CancellationToken cancellationToken)
    {
        if (_stop.IsCancellationRequested)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        await Task.WhenAll(_watched.Select(async w =>
        {
            if (!w.Destination.Failed && w.Baseline >= 0 && !cancellationToken.IsCancellationRequested)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_move.Options.Connection.ReadTimeout);
                try
                {
                    if (await SampleAsync(w, timeout.Token).ConfigureAwait(false) is { } evictions)
                        w.Destination.Evictions = Math.Max(0, evictions - w.Baseline);
                }
                catch (OperationCanceledException)
                {
                    // The last sample timed out or the move was stopped; the count from the loop stands.
                }
            }
            w.Destination.Gate.Resume();
            w.Connection?.Dispose();
        })).ConfigureAwait(false);
    }

    private sealed class Watched(DestinationState destination)
    {
        public DestinationState Destination { get; } = destination;
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public MemcachedConnection? Connection { get; set; }
        public long Baseline { get; set; } = -1;
        public long Last { get; set; }
        public TimeSpan LastIncrease { get; set; }
        public TimeSpan? LastWarning { get; set; }
        public TimeSpan? PausedSince { get; set; }
    }
}
