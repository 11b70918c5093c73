using System.Globalization;

namespace MemcacheOps.Engine.Throttling;

/// <summary>
/// Rate limits for the work one server does for an operation: requests, and value bytes it sends (fetches)
/// or receives (stores). A null rate means no limit on that dimension.
/// <see cref="Burst"/> is how much unused rate a quiet server may bank, as a duration: the default
/// 100 ms lets a caller that sleeps a little too long catch up without ever exceeding the long-run rate.
/// </summary>
public sealed record ThrottleLimits
{
    public static readonly TimeSpan DefaultBurst = TimeSpan.FromMilliseconds(100);

    /// <summary>No limits: throttles built from it never wait (they still count).</summary>
    public static ThrottleLimits Unlimited { get; } = new();

    private readonly double? _operationsPerSecond;
    private readonly double? _bytesPerSecond;
    private readonly TimeSpan _burst = DefaultBurst;

    /// <summary>Maximum requests (e.g. <c>mg</c>/<c>ms</c> commands) per second, or null for no limit.</summary>
    public double? OperationsPerSecond
    {
        get => _operationsPerSecond;
        init => _operationsPerSecond = ValidateRate(value, "operations");
    }

    /// <summary>
    /// Maximum value bytes per second the server sends or receives (the items' values, which is what loads a
    /// network; request lines and reply headers are not counted), or null for no limit.
    /// </summary>
    public double? BytesPerSecond
    {
        get => _bytesPerSecond;
        init => _bytesPerSecond = ValidateRate(value, "bytes");
    }

    /// <summary>How many seconds' worth of each rate an idle bucket can hold (at least one operation or byte).</summary>
    public TimeSpan Burst
    {
        get => _burst;
        init
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromHours(1))
            {
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidThrottleLimit",
                    $"Throttle burst {value} is not valid: give a positive duration up to one hour (default {DefaultBurst.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms).");
            }
            _burst = value;
        }
    }

    public bool IsUnlimited => _operationsPerSecond is null && _bytesPerSecond is null;

    private static double? ValidateRate(double? value, string unit)
    {
        if (value is { } rate && !(double.IsFinite(rate) && rate > 0))
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidThrottleLimit",
                $"Throttle limit {rate.ToString(CultureInfo.InvariantCulture)} {unit}/s is not valid: give a positive number, or no limit at all.");
        }
        return value;
    }
}
