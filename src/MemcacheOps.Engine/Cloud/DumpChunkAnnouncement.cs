using System.Buffers;
using System.Text;
using System.Text.Json;

namespace MemcacheOps.Engine.Cloud;

/// <summary>
/// The message that announces one uploaded dump chunk: the SQS body and the <c>cacheDumpChunk</c> object
/// metadata entry. Its first five fields are cachemover's (<c>reqId</c>, <c>host</c>, <c>uri</c>,
/// <c>keysCount</c>, <c>dumpFormat</c>), so Netflix populators read MemcacheOps' messages and MemcacheOps reads
/// theirs; the optional fields are MemcacheOps' additions, which let a consumer verify the download.
/// </summary>
public sealed record DumpChunkAnnouncement
{
    /// <summary>The only dump format cachemover announces: V0 records.</summary>
    public const string BinaryDumpFormat = "BINARY";

    /// <summary>Name of the object metadata entry that carries the announcement (as cachemover sets it).</summary>
    public const string MetadataName = "cacheDumpChunk";

    /// <summary><c>reqId</c>: the dump run's id.</summary>
    public required string ReqId { get; init; }

    /// <summary><c>host</c>: the address of the host that dumped the chunk.</summary>
    public required string Host { get; init; }

    /// <summary><c>uri</c>: where the chunk is, as <c>s3://bucket/key</c>.</summary>
    public required ObjectLocation Location { get; init; }

    /// <summary><c>keysCount</c>: how many keys the chunk holds.</summary>
    public required long KeysCount { get; init; }

    /// <summary><c>dumpFormat</c>: always <see cref="BinaryDumpFormat"/>.</summary>
    public string DumpFormat { get; init; } = BinaryDumpFormat;

    /// <summary><c>sha256</c>: lower-case hex SHA-256 of the chunk file; absent in cachemover's messages.</summary>
    public string? Sha256 { get; init; }

    /// <summary><c>records</c>: records in the chunk; absent in cachemover's messages.</summary>
    public long? Records { get; init; }

    /// <summary><c>bytes</c>: size of the chunk file; absent in cachemover's messages.</summary>
    public long? Bytes { get; init; }

    /// <summary><c>formatVersion</c>: version of the data-file format the dump's manifest states; absent in cachemover's messages.</summary>
    public int? FormatVersion { get; init; }

    /// <summary>The JSON body, fields in cachemover's order followed by the optional ones that are set.</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(DumpChunkFields.ReqId, ReqId);
            writer.WriteString(DumpChunkFields.Host, Host);
            writer.WriteString(DumpChunkFields.Uri, Location.ToString());
            writer.WriteNumber(DumpChunkFields.KeysCount, KeysCount);
            writer.WriteString(DumpChunkFields.DumpFormat, DumpFormat);
            if (Sha256 is not null)
                writer.WriteString(DumpChunkFields.Sha256, Sha256);
            if (Records is { } records)
                writer.WriteNumber(DumpChunkFields.Records, records);
            if (Bytes is { } bytes)
                writer.WriteNumber(DumpChunkFields.Bytes, bytes);
            if (FormatVersion is { } version)
                writer.WriteNumber(DumpChunkFields.FormatVersion, version);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>Field names of the announcement, spelled as on the wire.</summary>
public static class DumpChunkFields
{
    public const string ReqId = "reqId";
    public const string Host = "host";
    public const string Uri = "uri";
    public const string KeysCount = "keysCount";
    public const string DumpFormat = "dumpFormat";
    public const string Sha256 = "sha256";
    public const string Records = "records";
    public const string Bytes = "bytes";
    public const string FormatVersion = "formatVersion";
}
