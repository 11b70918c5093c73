namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>
/// Latency recording for Measure-MemcacheLatency. The engine defines these interfaces and the adapters implement
/// them on HdrHistogram (a third-party package, so it lives in the adapters' private load context); no
/// HdrHistogram type ever reaches the engine. Values are microseconds.
/// </summary>
public interface ILatencyHistogramFactory
{
    /// <summary>The largest value a histogram keeps apart (larger values are recorded as this one), in microseconds.</summary>
    long HighestTrackableMicroseconds { get; }

    /// <summary>
    /// A recorder that several threads record into at once, without locks or allocation, and that hands over
    /// what was recorded since the previous hand-over (<see cref="ILatencyRecorder.TakeInterval"/>).
    /// </summary>
    ILatencyRecorder CreateRecorder();

    /// <summary>An empty histogram to accumulate intervals into and read percentiles from (one thread at a time).</summary>
    ILatencyHistogram CreateHistogram();

    /// <summary>
    /// Writes an HdrHistogram interval log (.hlog) to <paramref name="output"/>, which stays open: a format
    /// version and start time header, then one line per interval histogram.
    /// </summary>
    ILatencyLogWriter CreateLogWriter(Stream output, DateTimeOffset start);
}

/// <summary>Records latencies from many threads; hands intervals to one reader.</summary>
public interface ILatencyRecorder
{
    /// <summary>Records one value in microseconds. The hot path: never allocates, never blocks.</summary>
    void Record(long microseconds);

    /// <summary>Adds everything recorded since the previous call to <paramref name="into"/> and starts a new interval.</summary>
    void TakeInterval(ILatencyHistogram into);
}

/// <summary>A latency histogram (microseconds) with HdrHistogram's precision: three significant digits.</summary>
public interface ILatencyHistogram
{
    long Count { get; }

    /// <summary>Largest recorded value (to the histogram's precision); 0 when empty.</summary>
    long Max { get; }

    /// <summary>Mean of the recorded values; 0 when empty.</summary>
    double Mean { get; }

    /// <summary>The value at or below which <paramref name="percentile"/> percent of the values fall (0-100).</summary>
    long ValueAtPercentile(double percentile);

    /// <summary>Adds the counts of <paramref name="other"/> (a histogram from the same factory).</summary>
    void Add(ILatencyHistogram other);

    void Reset();
}

/// <summary>Writes interval histograms to an .hlog file.</summary>
public interface ILatencyLogWriter : IDisposable
{
    /// <summary>Appends one interval: its histogram, when it started and ended, and a tag (the server, or "all").</summary>
    void Write(ILatencyHistogram interval, DateTimeOffset start, DateTimeOffset end, string tag);
}
