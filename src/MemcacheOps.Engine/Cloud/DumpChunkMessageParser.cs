using System.Text;
using System.Text.Json;

namespace MemcacheOps.Engine.Cloud;

/// <summary>
/// The outcome of parsing one queue message: an announcement, or the reason it was refused and the field at
/// fault. Refusals are values, never exceptions, so one bad message cannot stop a consumer.
/// </summary>
public sealed record DumpChunkParseResult
{
    private DumpChunkParseResult(DumpChunkAnnouncement? announcement, string? field, string? problem)
    {
        Announcement = announcement;
        Field = field;
        Problem = problem;
    }

    /// <summary>The announcement, when <see cref="IsValid"/>.</summary>
    public DumpChunkAnnouncement? Announcement { get; }

    /// <summary>The JSON field the problem is about, or null when it concerns the whole message.</summary>
    public string? Field { get; }

    /// <summary>Why the message was refused (safe to log: message text in it is cut and escaped), or null.</summary>
    public string? Problem { get; }

    public bool IsValid => Announcement is not null;

    internal static DumpChunkParseResult Valid(DumpChunkAnnouncement announcement) => new(announcement, null, null);

    internal static DumpChunkParseResult Refused(string? field, string problem) => new(null, field, problem);
}

/// <summary>
/// Reads chunk announcements from queue messages. Anyone able to send to the queue controls the body, so it is
/// untrusted: size and nesting are bounded, every field is type- and range-checked, a repeated field is refused
/// (two readers could otherwise disagree on which one counts), the URI must be <c>s3://</c> in a bucket the
/// consumer allows, and fields it does not know are ignored so producers can add some.
/// </summary>
public static class DumpChunkMessageParser
{
    /// <summary>SQS's own limit for a message body; anything longer did not come from a queue.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const int MaxTextLength = 256;
    private const int MaxDepth = 4;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = MaxDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>
    /// Parses <paramref name="body"/>; accepts only URIs whose bucket is in <paramref name="allowedBuckets"/>
    /// (compared exactly). Never throws for any body.
    /// </summary>
    public static DumpChunkParseResult Parse(string? body, IReadOnlySet<string> allowedBuckets)
    {
        ArgumentNullException.ThrowIfNull(allowedBuckets);
        if (string.IsNullOrEmpty(body))
            return DumpChunkParseResult.Refused(null, "the message body is empty");
        if (body.Length > MaxBodyBytes || Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
            return DumpChunkParseResult.Refused(null, $"the message body is larger than {MaxBodyBytes} bytes");
        if (UnpairedSurrogateAt(body) is { } position)
            return DumpChunkParseResult.Refused(null, $"the message body is not valid text (a broken character at position {position + 1})");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            // The position is enough to find the fault; the parser's own text may quote the hostile input.
            return DumpChunkParseResult.Refused(null,
                $"the message body is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})");
        }

        using (document)
        {
            return ParseObject(document.RootElement, allowedBuckets);
        }
    }

    private static DumpChunkParseResult ParseObject(JsonElement root, IReadOnlySet<string> allowedBuckets)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return DumpChunkParseResult.Refused(null, $"the message body is a JSON {Describe(root.ValueKind)}, not an object");

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!IsKnown(property.Name))
                continue;
            if (!fields.TryAdd(property.Name, property.Value))
                return DumpChunkParseResult.Refused(property.Name, $"field '{property.Name}' appears more than once");
        }

        if (!TryText(fields, DumpChunkFields.ReqId, required: true, out var reqId, out var refusal)
            || !TryText(fields, DumpChunkFields.Host, required: true, out var host, out refusal)
            || !TryText(fields, DumpChunkFields.Uri, required: true, out var uri, out refusal)
            || !TryText(fields, DumpChunkFields.DumpFormat, required: true, out var dumpFormat, out refusal)
            || !TryWhole(fields, DumpChunkFields.KeysCount, required: true, long.MaxValue, out var keysCount, out refusal)
            || !TryText(fields, DumpChunkFields.Sha256, required: false, out var sha256, out refusal)
            || !TryWhole(fields, DumpChunkFields.Records, required: false, long.MaxValue, out var records, out refusal)
            || !TryWhole(fields, DumpChunkFields.Bytes, required: false, long.MaxValue, out var bytes, out refusal)
            || !TryWhole(fields, DumpChunkFields.FormatVersion, required: false, int.MaxValue, out var formatVersion, out refusal))
        {
            return refusal!;
        }

        if (dumpFormat != DumpChunkAnnouncement.BinaryDumpFormat)
            return DumpChunkParseResult.Refused(DumpChunkFields.DumpFormat,
                $"field 'dumpFormat' is '{MessageText.Show(dumpFormat!)}'; only '{DumpChunkAnnouncement.BinaryDumpFormat}' chunks can be imported");
        var hostText = host!;
        if (hostText.Any(char.IsWhiteSpace))
            return DumpChunkParseResult.Refused(DumpChunkFields.Host, $"field 'host' ('{MessageText.Show(hostText)}') contains white space");
        if (!ObjectLocation.TryParse(uri, out var location, out var uriProblem))
            return DumpChunkParseResult.Refused(DumpChunkFields.Uri, $"field 'uri' ('{MessageText.Show(uri!, 120)}') is not an s3://bucket/key URI: {uriProblem}");
        if (!allowedBuckets.Contains(location.Bucket))
            return DumpChunkParseResult.Refused(DumpChunkFields.Uri,
                $"field 'uri' names bucket '{location.Bucket}', which is not one this consumer reads from ({(allowedBuckets.Count == 0 ? "none is allowed" : string.Join(", ", allowedBuckets.Order(StringComparer.Ordinal)))})");
        if (sha256 is not null && (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit)))
            return DumpChunkParseResult.Refused(DumpChunkFields.Sha256, "field 'sha256' is not 64 hexadecimal digits");

        return DumpChunkParseResult.Valid(new DumpChunkAnnouncement
        {
            ReqId = reqId!,
            Host = hostText,
            Location = location,
            KeysCount = keysCount!.Value,
            DumpFormat = dumpFormat!,
            Sha256 = sha256?.ToLowerInvariant(),
            Records = records,
            Bytes = bytes,
            FormatVersion = (int?)formatVersion,
        });
    }

    /// <summary>Index of a UTF-16 surrogate without its partner (which JSON cannot carry as text), or null.</summary>
    private static int? UnpairedSurrogateAt(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return i;
        }
        return null;
    }

    private static bool IsKnown(string name) => name is DumpChunkFields.ReqId or DumpChunkFields.Host or DumpChunkFields.Uri
        or DumpChunkFields.KeysCount or DumpChunkFields.DumpFormat or DumpChunkFields.Sha256 or DumpChunkFields.Records
        or DumpChunkFields.Bytes or DumpChunkFields.FormatVersion;

    private static bool TryText(Dictionary<string, JsonElement> fields, string name, bool required, out string? value,
        out DumpChunkParseResult? refusal)
    {
        value = null;
        refusal = null;
        if (!fields.TryGetValue(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
                refusal = DumpChunkParseResult.Refused(name, $"field '{name}' is missing");
            return !required;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            refusal = DumpChunkParseResult.Refused(name, $"field '{name}' is a JSON {Describe(element.ValueKind)}, not a string");
            return false;
        }
        var text = element.GetString()!;
        // The URI is checked by ObjectLocation (keys may be up to 1024 bytes); other texts are short names.
        var limit = name == DumpChunkFields.Uri ? ObjectLocation.MaxKeyBytes + 80 : MaxTextLength;
        string? problem = text.Length == 0 ? "is empty"
            : text.Length > limit ? $"is longer than {limit} characters"
            : text.Any(char.IsControl) ? "contains control characters"
            : null;
        if (problem is not null)
        {
            refusal = DumpChunkParseResult.Refused(name, $"field '{name}' {problem}");
            return false;
        }
        value = text;
        return true;
    }

    private static bool TryWhole(Dictionary<string, JsonElement> fields, string name, bool required, long max, out long? value,
        out DumpChunkParseResult? refusal)
    {
        value = null;
        refusal = null;
        if (!fields.TryGetValue(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
                refusal = DumpChunkParseResult.Refused(name, $"field '{name}' is missing");
            return !required;
        }
        if (element.ValueKind != JsonValueKind.Number)
        {
            refusal = DumpChunkParseResult.Refused(name, $"field '{name}' is a JSON {Describe(element.ValueKind)}, not a number");
            return false;
        }
        if (!element.TryGetInt64(out var number) || number < 0 || number > max)
        {
            refusal = DumpChunkParseResult.Refused(name, $"field '{name}' is not a whole number from 0 to {max}");
            return false;
        }
        value = number;
        return true;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };
}
