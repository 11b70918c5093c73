using System.Buffers.Text;
using System.Diagnostics;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>What every connection of a run shares: the workload, the schedule's bounds, the values and the key names.</summary>
internal sealed class LoadContext
{
    public LoadContext(LatencyOptions options, ulong seed, string keyPrefix)
    {
        Options = options;
        Seed = seed;
        KeyPrefix = keyPrefix;
        PrefixBytes = System.Text.Encoding.ASCII.GetBytes(keyPrefix);
        Pattern = new ValuePattern(options.ValueSize, seed);
        Zipf = options.KeyDistribution == KeyDistribution.Zipf ? new ZipfGenerator(options.KeyCount) : null;
        TimeoutTicks = (long)(options.Connection.ReadTimeout.TotalSeconds * Stopwatch.Frequency);
        VerifyThreshold = options.VerifyPercent / 100.0;
        TtlText = System.Text.Encoding.ASCII.GetBytes(options.EffectiveTimeToLive.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public LatencyOptions Options { get; }
    public ulong Seed { get; }
    public string KeyPrefix { get; }
    public byte[] PrefixBytes { get; }
    public ValuePattern Pattern { get; }
    public ZipfGenerator? Zipf { get; }
    public long TimeoutTicks { get; }
    public double VerifyThreshold { get; }
    public byte[] TtlText { get; }

    public bool OpenLoop => Options.TargetRate > 0;

    /// <summary>Stopwatch ticks when the measured phase starts and when no more requests are scheduled.</summary>
    public long StartTicks { get; set; }
    public long EndTicks { get; set; }

    /// <summary>When the monitor last closed an interval (the .hlog's last interval ends there).</summary>
    public DateTimeOffset LastIntervalEnd { get; set; }

    /// <summary>Completed when the measured phase starts; the closed loop's readers wait for it before their first requests.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set when the measured phase is over (or aborted): no more requests are sent.</summary>
    public volatile bool Stopping;

    /// <summary>Longest key: prefix plus a ten-digit number.</summary>
    public int MaxKeyLength => PrefixBytes.Length + 10;

    /// <summary>Writes the key of <paramref name="index"/> and returns its length.</summary>
    public int WriteKey(int index, Span<byte> destination)
    {
        PrefixBytes.CopyTo(destination);
        Utf8Formatter.TryFormat(index, destination[PrefixBytes.Length..], out var digits);
        return PrefixBytes.Length + digits;
    }

    public static double Microseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}

/// <summary>One server of a run: its key versions, recorders, counters and connections.</summary>
internal sealed class LoadServer
{
    private const int SlotCount = LoadOperations.Count * 3;
    private int _warnings;

    public LoadServer(ServerEndpoint endpoint, LoadContext context, ILatencyHistogramFactory histograms)
    {
        Endpoint = endpoint;
        Name = endpoint.ToString();
        Issued = new int[context.Options.KeyCount];
        Acked = new int[context.Options.KeyCount];
        Latency = new ILatencyRecorder?[SlotCount];
        Service = new ILatencyRecorder?[SlotCount];
        foreach (var (operation, _) in context.Options.Mix.Weights)
        {
            foreach (var outcome in Outcomes(operation))
            {
                Latency[Slot(operation, outcome)] = histograms.CreateRecorder();
                Service[Slot(operation, outcome)] = histograms.CreateRecorder();
            }
        }
    }

    public ServerEndpoint Endpoint { get; }
    public string Name { get; }

    /// <summary>Highest version of each key sent in a store.</summary>
    public int[] Issued { get; }

    /// <summary>Highest version of each key the server acknowledged.</summary>
    public int[] Acked { get; }

    public ILatencyRecorder?[] Latency { get; }
    public ILatencyRecorder?[] Service { get; }

    public LoadConnection[] Connections { get; set; } = [];

    /// <summary>Called with the first few problems worth a warning (a verify mismatch, a broken connection).</summary>
    public Action<string>? OnWarning { get; set; }

    public static int Slot(LoadOperation operation, LoadOutcome outcome) => (int)operation * 3 + (int)outcome;

    public static IEnumerable<LoadOutcome> Outcomes(LoadOperation operation)
        => LoadOperations.IsStore(operation) ? [LoadOutcome.Stored] : [LoadOutcome.Hit, LoadOutcome.Miss];

    /// <summary>Raises the acknowledged version of a key (several connections may store it at once).</summary>
    public void Acknowledge(int key, int version)
    {
        ref var slot = ref Acked[key];
        var current = Volatile.Read(ref slot);
        while (version > current)
        {
            var seen = Interlocked.CompareExchange(ref slot, version, current);
            if (seen == current)
                return;
            current = seen;
        }
    }

    /// <summary>Errors of all the server's connections, indexed by <see cref="LoadErrorClass"/>.</summary>
    public long[] ErrorsByClass()
    {
        var byClass = new long[6];
        foreach (var connection in Connections)
        {
            for (var c = 0; c < byClass.Length; c++)
                byClass[c] += connection.ErrorCount((LoadErrorClass)c);
        }
        return byClass;
    }

    /// <summary>Reports a problem, at most ten per server so a storm does not flood the output.</summary>
    public void Warn(string message)
    {
        var n = Interlocked.Increment(ref _warnings);
        if (n <= 10)
            OnWarning?.Invoke(n == 10 ? message + " (further problems on this server are counted, not shown)" : message);
    }
}
