using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// One data file in a bucket and what is known to verify it once downloaded: the SHA-256, records and length a
/// manifest or announcement recorded, or the MD5 in a cachemover file name, or nothing.
/// </summary>
internal sealed record RemoteChunk(ObjectLocation Location, ChecksumAlgorithm Algorithm, string? Checksum, long? Records, long? Bytes)
{
    public bool CanBeVerified => Algorithm != ChecksumAlgorithm.None && Checksum is not null;

    /// <summary>What a manifest of the dump recorded.</summary>
    public static RemoteChunk FromManifest(ObjectLocation location, DumpManifest manifest, DumpManifestFile entry)
        => new(location, manifest.ChecksumKind, entry.ChecksumFor(manifest.ChecksumKind), entry.Records, entry.Bytes);

    /// <summary>
    /// What an announcement (a queue message or the cacheDumpChunk metadata entry) says. cachemover's own
    /// announcements carry no checksum, but its file names end in the file's MD5, which is used then.
    /// </summary>
    public static RemoteChunk FromAnnouncement(ObjectLocation location, DumpChunkAnnouncement announcement)
        => announcement.Sha256 is { } sha256
            ? new(location, ChecksumAlgorithm.Sha256, sha256, announcement.Records, announcement.Bytes)
            : FromName(location) with { Records = announcement.Records, Bytes = announcement.Bytes };

    /// <summary>A cachemover data file name carries its MD5; any other name gives nothing to verify against.</summary>
    public static RemoteChunk FromName(ObjectLocation location)
        => CachemoverLayout.TryParseDataFileName(ChunkKeys.NameOf(location.Key), out var md5, out _, out _)
            ? new(location, ChecksumAlgorithm.Md5, md5, null, null)
            : new(location, ChecksumAlgorithm.None, null, null, null);

    /// <summary>The downloaded copy as a dump data file, held to what is known about it.</summary>
    public DumpDataFile ToDataFile(string localPath)
        => new(localPath, new FileInfo(localPath).Length, Records, Bytes, Algorithm, Checksum, null);
}
