using System.Globalization;

namespace MemcacheOps.Bench.Scenarios.Raw;

internal static class RawNotes
{
    /// <summary>The settings used, plus a warning when fewer items came back than were asked for.</summary>
    public static string Describe(ScenarioContext context, long items)
    {
        var note = string.Create(CultureInfo.InvariantCulture,
            $"batch {context.BatchSize}, window {context.Window}, {context.Connections} connection(s)");
        return items == context.Count
            ? note
            : note + string.Create(CultureInfo.InvariantCulture, $"; only {items} of {context.Count} keys found");
    }
}
