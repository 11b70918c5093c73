namespace MemcacheOps.Engine.Diagnostics;

/// <summary>
/// Where an engine operation sends what it produces: result objects, per-item errors that do not stop
/// the operation, warnings, verbose notes and progress snapshots. Front ends implement it (the cmdlets
/// with one bounded queue drained on the pipeline thread, the CLI by printing). Engine code may call it
/// from any thread.
/// </summary>
public interface IOperationSink
{
    /// <summary>Emits one result; may wait when the consumer is slower (back-pressure).</summary>
    ValueTask EmitAsync(object result, CancellationToken cancellationToken);

    /// <summary>Reports a failure of one part (one server, one file) while the rest goes on.</summary>
    void Error(MemcacheException error);

    /// <summary>Something the user should know: a fallback, a skipped item class, a risk.</summary>
    void Warning(string message);

    void Verbose(string message);

    /// <summary>Latest progress; a sink may drop snapshots it has no time to show.</summary>
    void Progress(ProgressSnapshot snapshot);
}

/// <summary>A sink that keeps results in memory; for tests and for callers that want a list.</summary>
public sealed class CollectingSink : IOperationSink
{
    private readonly object _gate = new();

    public List<object> Results { get; } = [];
    public List<MemcacheException> Errors { get; } = [];
    public List<string> Warnings { get; } = [];
    public List<string> VerboseMessages { get; } = [];
    public List<ProgressSnapshot> ProgressSnapshots { get; } = [];

    public ValueTask EmitAsync(object result, CancellationToken cancellationToken)
    {
        lock (_gate)
            Results.Add(result);
        return ValueTask.CompletedTask;
    }

    public void Error(MemcacheException error)
    {
        lock (_gate)
            Errors.Add(error);
    }

    public void Warning(string message)
    {
        lock (_gate)
            Warnings.Add(message);
    }

    public void Verbose(string message)
    {
        lock (_gate)
            VerboseMessages.Add(message);
    }

    public void Progress(ProgressSnapshot snapshot)
    {
        lock (_gate)
            ProgressSnapshots.Add(snapshot);
    }

    public IEnumerable<T> ResultsOf<T>()
    {
        lock (_gate)
            return Results.OfType<T>().ToList();
    }
}
