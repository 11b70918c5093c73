using System.Text.Json.Serialization;

namespace MemcacheOps.Engine.Dump;

/// <summary>Source-generated JSON for the manifest: camelCase, indented, unknown fields ignored (newer writers may add some).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(DumpManifest))]
internal sealed partial class DumpJsonContext : JsonSerializerContext
{
}
