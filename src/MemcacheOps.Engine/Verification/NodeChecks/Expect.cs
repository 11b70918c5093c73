using System.Globalization;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>Assertions of checks: each failure names the step, what was expected and what came back.</summary>
public static class Expect
{
    /// <summary>A reply line quoted for a message, control bytes escaped and long lines cut.</summary>
    public static string Show(string text) => "'" + MessageText.Show(text, 80) + "'";

    /// <summary>The reply must be exactly <paramref name="expected"/>.</summary>
    public static void Reply(string step, string actual, string expected, string? wholeLine = null)
    {
        if (actual != expected)
            throw new CheckFailedException($"{step}: expected {expected}, got {Show(wholeLine ?? actual)}");
    }

    /// <summary>The meta reply's code must be <paramref name="expected"/>; a failure shows the whole line.</summary>
    public static void Code(string step, MetaResponse reply, string expected) => Reply(step, reply.Code, expected, reply.Line);

    /// <summary>The reply must start with <paramref name="prefix"/> (error lines carry a message after their code).</summary>
    public static void StartsWith(string step, string actual, string prefix)
    {
        if (!actual.StartsWith(prefix, StringComparison.Ordinal))
            throw new CheckFailedException($"{step}: expected {prefix}..., got {Show(actual)}");
    }

    public static void Equal<T>(string step, T expected, T actual)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new CheckFailedException(string.Create(CultureInfo.InvariantCulture, $"{step}: expected {expected}, got {actual}"));
    }

    public static void True(bool condition, string step, string expectation, string actual)
    {
        if (!condition)
            throw new CheckFailedException($"{step}: expected {expectation}, got {actual}");
    }

    /// <summary>The bytes must be exactly the ones written.</summary>
    public static void Bytes(string step, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (TestValues.Difference(expected, actual) is { } difference)
            throw new CheckFailedException($"{step}: the value is not the one written: {difference}");
    }

    /// <summary>A hit whose value and flags are exactly the ones written.</summary>
    public static void Item(string step, TextItem? item, ReadOnlySpan<byte> value, uint flags = 0)
    {
        if (item is null)
            throw new CheckFailedException($"{step}: expected the item, got a miss (END)");
        Bytes(step, value, item.Value);
        if (item.Flags != flags)
            throw new CheckFailedException(string.Create(CultureInfo.InvariantCulture, $"{step}: expected flags {flags}, got {item.Flags}"));
    }

    /// <summary>A meta hit (VA) whose value is exactly the one written.</summary>
    public static void Value(string step, MetaResponse reply, ReadOnlySpan<byte> value)
    {
        Reply(step, reply.Code, "VA", reply.Line);
        Bytes(step, value, reply.Value);
    }

    public static void Miss(string step, TextItem? item)
    {
        if (item is not null)
            throw new CheckFailedException(string.Create(CultureInfo.InvariantCulture, $"{step}: expected a miss (END), got VALUE {item.Key} {item.Flags} {item.Value.Length}"));
    }

    /// <summary>A remaining TTL within <paramref name="tolerance"/> seconds below <paramref name="expected"/> (memcached's clock ticks once a second).</summary>
    public static void Ttl(string step, long? actual, long expected, long tolerance = 2)
    {
        if (actual is null)
            throw new CheckFailedException($"{step}: expected a TTL of about {expected} s, got a miss");
        if (expected < 0 ? actual != expected : actual > expected || actual < expected - tolerance)
            throw new CheckFailedException(string.Create(CultureInfo.InvariantCulture,
                $"{step}: expected a remaining TTL of {(expected < 0 ? "-1 (never expires)" : $"{expected - tolerance} to {expected} s")}, got {actual}"));
    }
}
