using System.Globalization;

namespace MemcacheOps.Cli.Arguments;

/// <summary>The options a command line gave, by canonical name.</summary>
public sealed class ParsedArguments
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flagsOff = new(StringComparer.Ordinal);

    internal void AddValue(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list))
            _values[name] = list = [];
        list.Add(value);
    }

    /// <summary>Records a switch: <c>--name</c> or <c>--name=true</c> turns it on, <c>--name=false</c> off; the last one given counts.</summary>
    internal void AddFlag(string name, bool on = true)
    {
        (on ? _flags : _flagsOff).Add(name);
        (on ? _flagsOff : _flags).Remove(name);
    }

    /// <summary>True when the option was given with a value, or as a switch turned on.</summary>
    public bool Has(string name) => _flags.Contains(name) || _values.ContainsKey(name);

    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>
    /// A switch as the user gave it: true for <c>--name</c>, false for <c>--name=false</c>, null when not given,
    /// so an explicit false can override a configuration file's true.
    /// </summary>
    public bool? Switch(string name) => _flags.Contains(name) ? true : _flagsOff.Contains(name) ? false : null;

    public string? Value(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    /// <summary>All values of a list option, with comma-separated values split.</summary>
    public IReadOnlyList<string> List(string name) => _values.TryGetValue(name, out var list)
        ? list.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
        : [];

    /// <summary>All values of a list option exactly as given (commas not split), e.g. to tell a path from a server list.</summary>
    public IReadOnlyList<string> RawValues(string name) => _values.TryGetValue(name, out var list) ? list : [];

    public int? Int(string name) => Value(name) is { } text ? ParseInt(name, text) : null;

    public long? Long(string name) => Value(name) is { } text
        ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--{name} needs a whole number, not '{text}'.")
        : null;

    public double? Double(string name) => Value(name) is { } text
        ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--{name} needs a number, not '{text}'.")
        : null;

    /// <summary>A duration in seconds (fractions allowed).</summary>
    public TimeSpan? Seconds(string name) => Double(name) is { } s ? TimeSpan.FromSeconds(s) : null;

    /// <summary>A point in time: ISO 8601, or a number of seconds from now ("+3600" or "3600").</summary>
    public DateTimeOffset? Time(string name)
    {
        var text = Value(name);
        if (text is null)
            return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return DateTimeOffset.UtcNow.AddSeconds(seconds);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return time;
        throw new UsageException($"--{name} needs a time (ISO 8601, e.g. 2026-01-31T12:00:00Z) or seconds from now, not '{text}'.");
    }

    public TEnum? Enum<TEnum>(string name) where TEnum : struct, System.Enum
    {
        var text = Value(name);
        if (text is null)
            return null;
        var normalized = text.Replace("-", string.Empty, StringComparison.Ordinal);
        if (System.Enum.TryParse<TEnum>(normalized, ignoreCase: true, out var value) && !int.TryParse(text, out _))
            return value;
        var names = string.Join(", ", System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()));
        throw new UsageException($"--{name} must be one of {names}, not '{text}'.");
    }

    private static int ParseInt(string name, string text)
        => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new UsageException($"--{name} needs a whole number, not '{text}'.");
}

/// <summary>A command line that cannot be run as written; printed with the command's usage.</summary>
public sealed class UsageException(string message) : Exception(message);
