using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Engine.Export;

/// <summary>Which directory layout an export writes.</summary>
public enum DumpLayout
{
    /// <summary>MemcacheOps' own layout: manifest.json, keys/, data/ (see docs/dump-format.md).</summary>
    Native,
    /// <summary>Netflix cachemover's layout (keyfile/, datafiles_completed/ with MD5 names, DONE) for its consumers.</summary>
    Cachemover,
}

/// <summary>Options of Export-MemcacheData / <c>memcacheops export</c>. Names match the cmdlet parameters.</summary>
public sealed record ExportOptions
{
    /// <summary>Most fetch connections one export opens (<see cref="Connections"/> is 1 to this).</summary>
    public const int MaxConnections = 256;

    /// <summary>Most keys in one <c>mg</c> batch (<see cref="BatchSize"/> is 1 to this).</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>Most batches in flight per connection (<see cref="Window"/> is 1 to this).</summary>
    public const int MaxWindow = 64;

    /// <summary>Smallest key or data file size, in bytes.</summary>
    public const long MinFileSize = 4096;

    public required IReadOnlyList<ServerEndpoint> Servers { get; init; }

    /// <summary>The dump folder.</summary>
    public required string Path { get; init; }

    /// <summary>Fetch connections (and worker threads) per export; cachemover's <c>threads</c>.</summary>
    public int Connections { get; init; } = 4;

    /// <summary>Keys per pipelined <c>mg</c> batch; cachemover's <c>bulk_get_threshold</c>.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Batches in flight per connection.</summary>
    public int Window { get; init; } = 4;

    /// <summary>Memory the export may use for its buffers (cachemover's <c>memlimit</c>); checked before work starts.</summary>
    public long MemoryLimit { get; init; } = 256L * 1024 * 1024;

    /// <summary>Soft size of each key file (cachemover's <c>key_file_size</c>): the unit of fetching and of resume.</summary>
    public long KeyFileSize { get; init; } = 4L * 1024 * 1024;

    /// <summary>Soft size of each data file (cachemover's <c>data_file_size</c>).</summary>
    public long DataFileSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>Only dump items that never expire or live longer than this many seconds (cachemover's <c>only_expire_after_s</c>).</summary>
    public long OnlyExpireAfterSeconds { get; init; }

    /// <summary>An identifier of this dump (cachemover's <c>req_id</c>), recorded in the manifest and messages.</summary>
    public string? RequestId { get; init; }

    /// <summary>Continue an interrupted dump in <see cref="Path"/> without redoing finished key files.</summary>
    public bool Resume { get; init; }

    /// <summary>Replace a dump already in <see cref="Path"/>.</summary>
    public bool Force { get; init; }

    /// <summary>Key include/exclude patterns applied before fetching.</summary>
    public KeyFilter Filter { get; init; } = KeyFilter.None;

    /// <summary>Keep only keys that a ring or pool assigns to chosen servers (cachemover's all_ips / dest_ips).</summary>
    public OwnerFilter? OwnerFilter { get; init; }

    /// <summary>
    /// Where the keys come from: null (or <see cref="KeySource.Listing"/>) lists each server; a key file or
    /// given keys (<see cref="KeySource.FromFile"/>, <see cref="KeyCollector"/>) dump only those keys, for
    /// servers that do not list theirs; <see cref="KeySource.PerServer"/> asks each server only for the keys
    /// listed on it. Given keys a server lacks are counted as missing.
    /// </summary>
    public KeySource? Keys { get; init; }

    public DumpLayout Layout { get; init; } = DumpLayout.Native;

    /// <summary>
    /// Checksum of each data file: CRC-32C (default; hardware-accelerated) or SHA-256. CRC-32C detects
    /// corruption and truncation at a fraction of SHA-256's cost, which measurably limited export speed.
    /// </summary>
    public Dump.ChecksumAlgorithm Checksum { get; init; } = Dump.ChecksumAlgorithm.Crc32C;

    /// <summary>Limit on fetch operations per second per source server (null: unlimited).</summary>
    public double? MaxOperationsPerSecond { get; init; }

    /// <summary>Limit on bytes per second sent to and received from each source server (null: unlimited).</summary>
    public double? MaxBytesPerSecond { get; init; }

    public ListingOptions Listing { get; init; } = new();

    public ConnectionOptions Connection { get; init; } = ConnectionOptions.Default;
}
