using HdrHistogram;
using MemcacheOps.Engine.Verification.Latency;

namespace MemcacheOps.Adapters.Latency;

/// <summary>
/// The engine's latency histograms on HdrHistogram: 1 µs to 1 hour at three significant digits (the precision
/// wrk2 and HdrHistogram's own tools use). Recorders share one LongConcurrentHistogram per interval between all
/// connections, so recording is an interlocked increment: no lock and no allocation.
/// </summary>
public sealed class HdrLatencyHistogramFactory : ILatencyHistogramFactory
{
    public const long Lowest = 1;
    public const long Highest = 3_600_000_000;
    public const int SignificantDigits = 3;

    public long HighestTrackableMicroseconds => Highest;

    public ILatencyRecorder CreateRecorder() => new HdrLatencyRecorder();

    public ILatencyHistogram CreateHistogram() => new HdrLatencyHistogram(new LongHistogram(Lowest, Highest, SignificantDigits));

    public ILatencyLogWriter CreateLogWriter(Stream output, DateTimeOffset start) => new HdrLatencyLogWriter(output, start);

    internal static HistogramBase Unwrap(ILatencyHistogram histogram)
        => histogram is HdrLatencyHistogram hdr
            ? hdr.Histogram
            : throw new ArgumentException($"The histogram {histogram.GetType().FullName} does not come from {nameof(HdrLatencyHistogramFactory)}.", nameof(histogram));
}

/// <summary>An HdrHistogram <see cref="Recorder"/> over concurrent histograms: many writers, one interval reader.</summary>
internal sealed class HdrLatencyRecorder : ILatencyRecorder
{
    private readonly Recorder _recorder = new(HdrLatencyHistogramFactory.Lowest, HdrLatencyHistogramFactory.Highest, HdrLatencyHistogramFactory.SignificantDigits,
        (id, lowest, highest, digits) => new LongConcurrentHistogram(id, lowest, highest, digits));

    private HistogramBase? _spare;

    public void Record(long microseconds)
    {
        // Out-of-range values would throw inside HdrHistogram; clamp instead (a latency is never negative,
        // and anything past an hour is reported as an hour).
        if (microseconds < HdrLatencyHistogramFactory.Lowest)
            microseconds = HdrLatencyHistogramFactory.Lowest;
        else if (microseconds > HdrLatencyHistogramFactory.Highest)
            microseconds = HdrLatencyHistogramFactory.Highest;
        _recorder.RecordValue(microseconds);
    }

    public void TakeInterval(ILatencyHistogram into)
    {
        // Recycling the previous interval histogram keeps the reader from allocating 150 KB every interval.
        var interval = _spare is null ? _recorder.GetIntervalHistogram() : _recorder.GetIntervalHistogram(_spare);
        HdrLatencyHistogramFactory.Unwrap(into).Add(interval);
        _spare = interval;
    }
}

/// <summary>One HdrHistogram, read by one thread at a time.</summary>
internal sealed class HdrLatencyHistogram(HistogramBase histogram) : ILatencyHistogram
{
    public HistogramBase Histogram { get; } = histogram;

    public long Count => Histogram.TotalCount;

    public long Max => Histogram.TotalCount == 0 ? 0 : Histogram.GetMaxValue();

    public double Mean => Histogram.TotalCount == 0 ? 0 : Histogram.GetMean();

    public long ValueAtPercentile(double percentile) => Histogram.TotalCount == 0 ? 0 : Histogram.GetValueAtPercentile(percentile);

    public void Add(ILatencyHistogram other) => Histogram.Add(HdrLatencyHistogramFactory.Unwrap(other));

    public void Reset() => Histogram.Reset();
}

/// <summary>
/// HdrHistogram's own log writer, so the file reads in HistogramLogProcessor, HdrHistogram's plotters and
/// HistogramLogReader. HdrHistogram.NET writes UTF-16, which the other HdrHistogram tools do not read; its lines
/// are ASCII, so each is passed on as ASCII. A comment line says the unit (microseconds).
/// </summary>
internal sealed class HdrLatencyLogWriter : ILatencyLogWriter
{
    private readonly Stream _output;
    private readonly MemoryStream _staging = new();
    private readonly HistogramLogWriter _writer;

    public HdrLatencyLogWriter(Stream output, DateTimeOffset start)
    {
        _output = output;
        output.Write("#[MemcacheOps Measure-MemcacheLatency: latency from the scheduled send time, in microseconds]\n"u8);
        _writer = new HistogramLogWriter(_staging);
        // With no histograms, Write puts down only the header: format version, start time and legend.
        _writer.Write(start.UtcDateTime);
        PassOn();
    }

    public void Write(ILatencyHistogram interval, DateTimeOffset start, DateTimeOffset end, string tag)
    {
        var histogram = HdrLatencyHistogramFactory.Unwrap(interval);
        histogram.StartTimeStamp = start.ToUnixTimeMilliseconds();
        histogram.EndTimeStamp = end.ToUnixTimeMilliseconds();
        // Tags may not hold spaces or commas in the log format.
        histogram.Tag = tag.Replace(' ', '_').Replace(',', '_');
        _writer.Append(histogram);
        PassOn();
    }

    /// <summary>Moves what the writer produced (UTF-16) to the output as ASCII.</summary>
    private void PassOn()
    {
        _staging.Flush();
        var text = System.Text.Encoding.Unicode.GetString(_staging.GetBuffer(), 0, (int)_staging.Length).TrimStart('\uFEFF');
        _output.Write(System.Text.Encoding.ASCII.GetBytes(text));
        _output.Flush();
        _staging.SetLength(0);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _output.Flush();
    }
}
