using System.Globalization;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Cli.Commands;

/// <summary>
/// The placement options of every verb that places or filters keys by owner (import, move, export's
/// destination filter, compare over a ring, the S3/SQS consumer), declared once so they read the same
/// everywhere: the same names as the cmdlets' -RingForm, -PointsPerServer, -HashSalt and -HashWeight.
/// </summary>
public static class RingCliOptions
{
    public static readonly IReadOnlyList<OptionSpec> All =
    [
        new("ring-form", OptionKind.Value, "How keys are placed on several servers: spymemcached (default; ketama as EVCache, cachemover), libmemcached (ketama as twemproxy), or mcrouter's ch3, crc32, weightedch3. mcrouter forms index into the server list: give it in the pool's order.") { ValueName = "FORM" },
        new("points-per-server", OptionKind.Value, "Ketama points per server (cachemover: ketama_bucket_size). Default 160. Ketama forms only.", "ketama-bucket-size") { ValueName = "N" },
        new("hash-salt", OptionKind.Value, "mcrouter's hash_salt: appended to every routing key before hashing (ch3, crc32, weightedch3).") { ValueName = "SALT" },
        new("hash-weight", OptionKind.List, "mcrouter's weights of a weightedch3 pool, one per server in server order, each 0-1 (comma-separated or repeated).") { ValueName = "W" },
    ];

    /// <summary>The placement the options give; each left out keeps its default (the points stay unset, so an mcrouter form can refuse them).</summary>
    public static RingOptions Build(ParsedArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return new RingOptions
        {
            Form = args.Enum<RingForm>("ring-form") ?? RingForm.Spymemcached,
            PointsPerServer = args.Int("points-per-server"),
            HashSalt = args.Value("hash-salt"),
            Weights = Weights(args),
        };
    }

    /// <summary>--hash-weight as numbers, or null when not given.</summary>
    public static IReadOnlyList<double>? Weights(ParsedArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.Has("hash-weight"))
            return null;
        var weights = new List<double>();
        foreach (var text in args.List("hash-weight"))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight))
                throw new UsageException($"--hash-weight '{text}' is not a number: give weights from 0 to 1, e.g. --hash-weight 1,1,0.5.");
            weights.Add(weight);
        }
        return weights;
    }
}
