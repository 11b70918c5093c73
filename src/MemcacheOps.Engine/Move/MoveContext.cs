using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Move;

/// <summary>Everything one move shares between its passes, sources and destinations.</summary>
internal sealed class MoveContext : IDisposable
{
    /// <summary>A store batch is sent when it holds this many bytes of commands, whatever its item count.</summary>
    public const int StoreBatchBytes = 256 * 1024;

    private int _listing;

    public MoveContext(MoveOptions options, MoveRouting routing, IOperationSink sink, ProgressTracker progress)
    {
        Options = options;
        Routing = routing;
        Sink = sink;
        Progress = progress;
        // One throttle per server shared by every connection to it, in both directions: a server that is
        // both a source and a destination (a ring change) stays within one limit.
        var registry = new ThrottleRegistry(new ThrottleLimits
        {
            OperationsPerSecond = options.MaxOperationsPerSecond,
            BytesPerSecond = options.MaxBytesPerSecond,
        });
        Sources = options.Sources.Select((s, i) => new SourceState(i, s, registry.GetThrottle(s), options.Destinations.Count)).ToArray();
        Destinations = options.Destinations.Select((d, i) => new DestinationState(i, d, registry.GetThrottle(d))).ToArray();
    }

    public MoveOptions Options { get; }
    public MoveRouting Routing { get; }
    public IOperationSink Sink { get; }
    public ProgressTracker Progress { get; }
    public SourceState[] Sources { get; }
    public DestinationState[] Destinations { get; }

    public string SourceText => string.Join(",", Options.Sources);

    /// <summary>A new number for a listing (pass or closing); entries record the last one that saw them.</summary>
    public int NextListing()
    {
        var next = Interlocked.Increment(ref _listing);
        if (next > KeyStateMap.MaxListing)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "MoveTooManyPasses", "The move ran more listings than it can number; start a new move.");
        return next;
    }

    /// <summary>Sets the progress phase and publishes a snapshot at once, so front ends see every phase change.</summary>
    public void SetPhase(string phase)
    {
        Progress.SetPhase(phase);
        Sink.Progress(Progress.Snapshot(false));
    }

    public bool AnyDestinationLeft => Destinations.Any(d => !d.Failed);

    public void Dispose()
    {
        foreach (var source in Sources)
            source.Dispose();
        foreach (var destination in Destinations)
            destination.Dispose();
    }
}
