using System.Text;
using System.Text.RegularExpressions;

namespace MemcacheOps.Engine.Listing;

/// <summary>
/// Filters applied while a listing streams: key pattern (wildcard or regex), slab classes and expiry
/// bounds. Matching works on stack buffers, so filtering a large listing allocates nothing per key.
/// </summary>
public sealed class KeyFilter
{
    public static readonly KeyFilter None = new();

    private readonly Regex? _regex;

    public KeyFilter(string? pattern = null, bool patternIsRegex = false, IReadOnlyCollection<int>? slabClasses = null,
        DateTimeOffset? expiringBefore = null, DateTimeOffset? expiringAfter = null, string? excludePattern = null, bool excludeIsRegex = false)
    {
        if (!string.IsNullOrEmpty(pattern))
            _regex = Compile(pattern, patternIsRegex);
        if (!string.IsNullOrEmpty(excludePattern))
            ExcludeRegex = Compile(excludePattern, excludeIsRegex);
        SlabClasses = slabClasses is { Count: > 0 } ? slabClasses.ToHashSet() : null;
        ExpiringBefore = expiringBefore?.ToUnixTimeSeconds();
        ExpiringAfter = expiringAfter?.ToUnixTimeSeconds();
    }

    private Regex? ExcludeRegex { get; }

    private HashSet<int>? SlabClasses { get; }

    private long? ExpiringBefore { get; }

    private long? ExpiringAfter { get; }

    /// <summary>True when no filter is set, so matching can be skipped.</summary>
    public bool IsEmpty => _regex is null && ExcludeRegex is null && SlabClasses is null && ExpiringBefore is null && ExpiringAfter is null;

    /// <summary>Matches a listed item. <paramref name="key"/> is the decoded key; <paramref name="expiry"/> absolute unix or -1.</summary>
    public bool Matches(ReadOnlySpan<byte> key, long expiry, int slabClass)
    {
        if (SlabClasses is not null && !SlabClasses.Contains(slabClass))
            return false;
        // "Expiring before T": has an expiry and it is earlier than T. Never-expiring items do not match.
        if (ExpiringBefore is { } before && (expiry < 0 || expiry >= before))
            return false;
        // "Expiring after T": lives past T; never-expiring items do.
        if (ExpiringAfter is { } after && expiry >= 0 && expiry <= after)
            return false;
        if (_regex is null && ExcludeRegex is null)
            return true;
        Span<char> text = stackalloc char[KeyText.MaxDisplayLength];
        var length = KeyText.Format(key, text, out _);
        var shown = text[..length];
        if (_regex is not null && !_regex.IsMatch(shown))
            return false;
        return ExcludeRegex is null || !ExcludeRegex.IsMatch(shown);
    }

    /// <summary>Turns a wildcard (* ? [abc]) or a regex into a compiled, anchored-as-appropriate regex.</summary>
    public static Regex Compile(string pattern, bool isRegex)
    {
        try
        {
            return isRegex
                ? new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled)
                : new Regex(WildcardToRegex(pattern), RegexOptions.CultureInvariant | RegexOptions.Compiled | RegexOptions.Singleline);
        }
        catch (ArgumentException ex)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidPattern",
                $"The pattern '{pattern}' is not a valid {(isRegex ? "regular expression" : "wildcard")}: {ex.Message}", pattern, ex);
        }
    }

    /// <summary>PowerShell-style wildcards: * any run, ? one character, [abc] / [a-z] a set, ` escapes.</summary>
    public static string WildcardToRegex(string wildcard)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < wildcard.Length; i++)
        {
            var c = wildcard[i];
            switch (c)
            {
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '`' when i + 1 < wildcard.Length:
                    sb.Append(Regex.Escape(wildcard[++i].ToString()));
                    break;
                case '[':
                    var close = wildcard.IndexOf(']', i + 1);
                    if (close < 0)
                        throw new ArgumentException("'[' without a closing ']'.");
                    var set = wildcard[(i + 1)..close].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("^", "\\^", StringComparison.Ordinal);
                    sb.Append('[').Append(set).Append(']');
                    i = close;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return sb.Append('$').ToString();
    }
}
