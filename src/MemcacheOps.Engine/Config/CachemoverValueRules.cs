using System.Globalization;
using System.Net;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Config;

/// <summary>
/// How each value of a cachemover configuration is read from text and checked. The file reader uses
/// these rules (adding line and column to its errors) and <see cref="CachemoverConfig.Validate"/> applies
/// the same rules again to values that came from elsewhere (parameters overriding the file), so there is
/// one definition of a valid value.
/// </summary>
public static class CachemoverValueRules
{
    /// <summary>
    /// Parses a whole number in plain decimal (yaml-cpp, which cachemover uses, reads numbers the same way)
    /// and checks it against the key's limits. Returns false with nothing more to say; the caller words
    /// the error with <see cref="CachemoverKeyInfo.Expected"/>.
    /// </summary>
    public static bool TryParseNumber(CachemoverKeyInfo info, string text, out long value)
    {
        var span = text.AsSpan().Trim();
        if (span.Length > 0 && span[0] == '+')
            span = span[1..];
        return long.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= info.Min && value <= info.Max;
    }

    /// <summary>True when <paramref name="value"/> is within the key's limits.</summary>
    public static bool IsInRange(CachemoverKeyInfo info, long value) => value >= info.Min && value <= info.Max;

    /// <summary>
    /// Reads a YAML 1.1 boolean the way yaml-cpp does: true/false, yes/no, on/off, y/n in lower, title or upper case.
    /// </summary>
    public static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.Trim())
        {
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                value = true;
                return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Checks a text value of a text-like key; returns what is wrong, or null when it is acceptable.</summary>
    public static string? ProblemWithText(CachemoverKeyInfo info, string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
                return "it contains a control character";
        }
        switch (info.Kind)
        {
            case CachemoverValueKind.OptionalText:
                return null;
            case CachemoverValueKind.Text:
                return string.IsNullOrWhiteSpace(value) ? "it is empty" : null;
            case CachemoverValueKind.Host:
                if (IPAddress.TryParse(value, out _))
                    return null;
                if (value.Contains(':', StringComparison.Ordinal))
                    return "it contains ':' (give the port with the port key)";
                return ServerEndpoint.TryParse(value, out _, out var problem) ? null : problem;
            case CachemoverValueKind.BucketName:
                if (value.Length is < 3 or > 63)
                    return $"it has {value.Length} characters";
                foreach (var c in value)
                {
                    if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
                        return $"it contains '{c}'";
                }
                return null;
            case CachemoverValueKind.QueueName:
                var name = value.EndsWith(".fifo", StringComparison.Ordinal) ? value[..^5] : value;
                if (name.Length == 0 || value.Length > 80)
                    return $"it has {value.Length} characters";
                foreach (var c in name)
                {
                    if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                        return $"it contains '{c}'";
                }
                return null;
            default:
                return "it is not a text key";
        }
    }

    /// <summary>
    /// Parses one "ip:port" entry of <c>all_ips</c> / <c>dest_ips</c>. The port must be written out, because
    /// the ketama ring hashes the "host:port" text and a silently defaulted port would move every key.
    /// </summary>
    public static bool TryParseEndpoint(string text, out ServerEndpoint endpoint, out string problem)
    {
        var trimmed = text.Trim();
        if (!ServerEndpoint.TryParse(trimmed, out endpoint, out problem))
            return false;
        var hasPort = trimmed.StartsWith('[')
            ? trimmed.Contains("]:", StringComparison.Ordinal)
            : trimmed.Contains(':', StringComparison.Ordinal);
        if (!hasPort)
        {
            problem = "the port is missing";
            endpoint = null!;
            return false;
        }
        return true;
    }

    /// <summary>Checks a whole endpoint list; returns what is wrong (a repeated entry), or null.</summary>
    public static string? ProblemWithEndpoints(IReadOnlyList<ServerEndpoint> endpoints)
    {
        var seen = new HashSet<ServerEndpoint>();
        foreach (var endpoint in endpoints)
        {
            if (!seen.Add(endpoint))
                return $"'{endpoint}' is listed twice";
        }
        return null;
    }
}
