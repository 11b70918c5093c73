using System.Buffers;
using System.Text.Json;

namespace MemcacheOps.Engine.Dump;

/// <summary>
/// The manifest's JSON, written and read field by field (docs/dump-format.md). Not the serializer: its
/// start-up (metadata, converters, generic code compiled on first use) took about 80 ms of CPU on the first
/// write of every export, while the listing and the first fetches needed that CPU. Unknown fields are
/// ignored; a known field of the wrong type is an error naming it.
/// </summary>
internal static class ManifestJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };

    /// <summary>The manifest as indented UTF-8 JSON ending in a newline.</summary>
    public static byte[] Serialize(DumpManifest manifest)
    {
        var output = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(output, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("format", manifest.Format);
            json.WriteNumber("formatVersion", manifest.FormatVersion);
            json.WriteString("createdUtc", manifest.CreatedUtc);
            if (manifest.CompletedUtc is { } completed)
                json.WriteString("completedUtc", completed);
            else
                json.WriteNull("completedUtc");
            json.WriteBoolean("complete", manifest.Complete);
            json.WriteBoolean("listingComplete", manifest.ListingComplete);
            json.WriteStartArray("sources");
            foreach (var source in manifest.Sources)
            {
                json.WriteStartObject();
                json.WriteString("server", source.Server);
                WriteStringOrNull(json, "version", source.Version);
                json.WriteNumber("serverTimeAtStart", source.ServerTimeAtStart);
                json.WriteNumber("hostTimeAtStart", source.HostTimeAtStart);
                if (source.ServerPid != 0)
                    json.WriteNumber("serverPid", source.ServerPid);
                if (source.ServerStartedAt != 0)
                    json.WriteNumber("serverStartedAt", source.ServerStartedAt);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("dumpHost", manifest.DumpHost);
            json.WriteString("checksumAlgorithm", manifest.ChecksumAlgorithm);
            json.WriteString("recordFormat", manifest.RecordFormat);
            json.WriteStartObject("settings");
            foreach (var (name, value) in manifest.Settings)
                json.WriteString(name, value);
            json.WriteEndObject();
            json.WriteStartArray("keyFiles");
            foreach (var keyFile in manifest.KeyFiles)
            {
                json.WriteStartObject();
                json.WriteString("name", keyFile.Name);
                WriteStringOrNull(json, "server", keyFile.Server);
                json.WriteNumber("lines", keyFile.Lines);
                json.WriteBoolean("fetched", keyFile.Fetched);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("files");
            foreach (var file in manifest.Files)
            {
                json.WriteStartObject();
                json.WriteString("name", file.Name);
                WriteStringOrNull(json, "keyFile", file.KeyFile);
                json.WriteNumber("records", file.Records);
                json.WriteNumber("bytes", file.Bytes);
                json.WriteString("sha256", file.Sha256);
                if (file.Crc32c is not null)
                    json.WriteString("crc32c", file.Crc32c);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            var totals = manifest.Totals;
            json.WriteStartObject("totals");
            json.WriteNumber("listed", totals.Listed);
            json.WriteNumber("dumped", totals.Dumped);
            json.WriteNumber("missing", totals.Missing);
            json.WriteNumber("filtered", totals.Filtered);
            json.WriteNumber("skipped", totals.Skipped);
            json.WriteNumber("bytes", totals.Bytes);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        var content = new byte[output.WrittenCount + 1];
        output.WrittenSpan.CopyTo(content);
        content[^1] = (byte)'\n';
        return content;
    }

    /// <summary>
    /// Reads a manifest object (format and version already checked). Throws <see cref="ManifestFieldException"/>
    /// naming the first known field whose value has the wrong type.
    /// </summary>
    public static DumpManifest Deserialize(JsonElement root)
    {
        var manifest = new DumpManifest();
        foreach (var field in root.EnumerateObject())
        {
            var value = field.Value;
            switch (field.Name)
            {
                case "format": manifest.Format = String(value, "format")!; break;
                case "formatVersion": manifest.FormatVersion = Int32(value, "formatVersion"); break;
                case "createdUtc": manifest.CreatedUtc = Time(value, "createdUtc"); break;
                case "completedUtc": manifest.CompletedUtc = value.ValueKind == JsonValueKind.Null ? null : Time(value, "completedUtc"); break;
                case "complete": manifest.Complete = Boolean(value, "complete"); break;
                case "listingComplete": manifest.ListingComplete = Boolean(value, "listingComplete"); break;
                case "sources": manifest.Sources = List(value, "sources", ReadSource)!; break;
                case "dumpHost": manifest.DumpHost = String(value, "dumpHost")!; break;
                case "checksumAlgorithm": manifest.ChecksumAlgorithm = String(value, "checksumAlgorithm")!; break;
                case "recordFormat": manifest.RecordFormat = String(value, "recordFormat")!; break;
                case "settings": manifest.Settings = ReadSettings(value)!; break;
                case "keyFiles": manifest.KeyFiles = List(value, "keyFiles", ReadKeyFile)!; break;
                case "files": manifest.Files = List(value, "files", ReadFile)!; break;
                case "totals": manifest.Totals = value.ValueKind == JsonValueKind.Null ? null! : ReadTotals(value); break;
                default: break; // a field a later writer added
            }
        }
        return manifest;
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }

    private static DumpManifestSource ReadSource(JsonElement element, string path)
    {
        var source = new DumpManifestSource();
        foreach (var field in Object(element, path).EnumerateObject())
        {
            var at = path + "." + field.Name;
            switch (field.Name)
            {
                case "server": source.Server = String(field.Value, at)!; break;
                case "version": source.Version = String(field.Value, at); break;
                case "serverTimeAtStart": source.ServerTimeAtStart = Int64(field.Value, at); break;
                case "hostTimeAtStart": source.HostTimeAtStart = Int64(field.Value, at); break;
                case "serverPid": source.ServerPid = Int64(field.Value, at); break;
                case "serverStartedAt": source.ServerStartedAt = Int64(field.Value, at); break;
                default: break;
            }
        }
        return source;
    }

    private static DumpManifestKeyFile ReadKeyFile(JsonElement element, string path)
    {
        var keyFile = new DumpManifestKeyFile();
        foreach (var field in Object(element, path).EnumerateObject())
        {
            var at = path + "." + field.Name;
            switch (field.Name)
            {
                case "name": keyFile.Name = String(field.Value, at)!; break;
                case "server": keyFile.Server = String(field.Value, at); break;
                case "lines": keyFile.Lines = Int64(field.Value, at); break;
                case "fetched": keyFile.Fetched = Boolean(field.Value, at); break;
                default: break;
            }
        }
        return keyFile;
    }

    private static DumpManifestFile ReadFile(JsonElement element, string path)
    {
        var file = new DumpManifestFile();
        foreach (var field in Object(element, path).EnumerateObject())
        {
            var at = path + "." + field.Name;
            switch (field.Name)
            {
                case "name": file.Name = String(field.Value, at)!; break;
                case "keyFile": file.KeyFile = String(field.Value, at); break;
                case "records": file.Records = Int64(field.Value, at); break;
                case "bytes": file.Bytes = Int64(field.Value, at); break;
                case "sha256": file.Sha256 = String(field.Value, at)!; break;
                case "crc32c": file.Crc32c = String(field.Value, at); break;
                default: break;
            }
        }
        return file;
    }

    private static DumpTotals ReadTotals(JsonElement element)
    {
        var totals = new DumpTotals();
        foreach (var field in Object(element, "totals").EnumerateObject())
        {
            var at = "totals." + field.Name;
            switch (field.Name)
            {
                case "listed": totals.Listed = Int64(field.Value, at); break;
                case "dumped": totals.Dumped = Int64(field.Value, at); break;
                case "missing": totals.Missing = Int64(field.Value, at); break;
                case "filtered": totals.Filtered = Int64(field.Value, at); break;
                case "skipped": totals.Skipped = Int64(field.Value, at); break;
                case "bytes": totals.Bytes = Int64(field.Value, at); break;
                default: break;
            }
        }
        return totals;
    }

    private static Dictionary<string, string>? ReadSettings(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null)
            return null;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in Object(element, "settings").EnumerateObject())
            settings[field.Name] = String(field.Value, "settings." + field.Name) ?? throw Wrong("settings." + field.Name, "a string");
        return settings;
    }

    /// <summary>A JSON array read item by item; null stays null (the manifest's validation names it).</summary>
    private static List<T>? List<T>(JsonElement element, string path, Func<JsonElement, string, T> read)
    {
        if (element.ValueKind == JsonValueKind.Null)
            return null;
        if (element.ValueKind != JsonValueKind.Array)
            throw Wrong(path, "an array");
        var list = new List<T>(element.GetArrayLength());
        var index = 0;
        foreach (var item in element.EnumerateArray())
            list.Add(read(item, $"{path}[{index++}]"));
        return list;
    }

    private static JsonElement Object(JsonElement element, string path)
        => element.ValueKind == JsonValueKind.Object ? element : throw Wrong(path, "an object");

    private static string? String(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null => null,
        _ => throw Wrong(path, "a string"),
    };

    private static bool Boolean(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Wrong(path, "true or false"),
    };

    private static int Int32(JsonElement element, string path)
        => element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value) ? value : throw Wrong(path, "a whole number");

    private static long Int64(JsonElement element, string path)
        => element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) ? value : throw Wrong(path, "a whole number");

    private static DateTimeOffset Time(JsonElement element, string path)
        => element.ValueKind == JsonValueKind.String && element.TryGetDateTimeOffset(out var value) ? value : throw Wrong(path, "an ISO 8601 time with an offset");

    private static ManifestFieldException Wrong(string path, string expected) => new($"\"{path}\" must be {expected}.");
}

/// <summary>A known manifest field holds a value of the wrong type; the message names the field.</summary>
internal sealed class ManifestFieldException(string message) : Exception(message);
