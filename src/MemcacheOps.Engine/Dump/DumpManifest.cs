namespace MemcacheOps.Engine.Dump;

/// <summary>
/// The native dump's <c>manifest.json</c>: what was dumped, from where, with which settings, and
/// which files make it up. A dump is complete only when <see cref="Complete"/> is true. Field
/// meanings are specified in docs/dump-format.md.
/// </summary>
public sealed class DumpManifest
{
    public const string FormatName = "memcacheops-dump";
    public const int CurrentFormatVersion = 1;
    public const string Sha256Algorithm = "sha256";
    public const string Crc32CAlgorithm = "crc32c";

    /// <summary>The algorithm named by <see cref="ChecksumAlgorithm"/>, or None when it is not one this version knows.</summary>
    public Dump.ChecksumAlgorithm ChecksumKind => ChecksumAlgorithm switch
    {
        Sha256Algorithm => Dump.ChecksumAlgorithm.Sha256,
        Crc32CAlgorithm => Dump.ChecksumAlgorithm.Crc32C,
        _ => Dump.ChecksumAlgorithm.None,
    };

    public string Format { get; set; } = FormatName;

    public int FormatVersion { get; set; } = CurrentFormatVersion;

    public DateTimeOffset CreatedUtc { get; set; }

    public DateTimeOffset? CompletedUtc { get; set; }

    /// <summary>True only once every file is written and listed: the last thing an export writes.</summary>
    public bool Complete { get; set; }

    /// <summary>True once every source's key listing finished (all key files are listed below).</summary>
    public bool ListingComplete { get; set; }

    public List<DumpManifestSource> Sources { get; set; } = [];

    /// <summary>The host that ran the export.</summary>
    public string DumpHost { get; set; } = string.Empty;

    public string ChecksumAlgorithm { get; set; } = Sha256Algorithm;

    public string RecordFormat { get; set; } = V0Record.FormatName;

    /// <summary>The export settings, as text, for the record and for resuming with the same settings.</summary>
    public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);

    public List<DumpManifestKeyFile> KeyFiles { get; set; } = [];

    public List<DumpManifestFile> Files { get; set; } = [];

    public DumpTotals Totals { get; set; } = new();
}

/// <summary>One server the dump was taken from, with both clocks so absolute expiries can be judged.</summary>
public sealed class DumpManifestSource
{
    /// <summary>The server as <c>host:port</c>.</summary>
    public string Server { get; set; } = string.Empty;

    /// <summary>memcached version reported by the server.</summary>
    public string? Version { get; set; }

    /// <summary>The server's clock at the start (unix seconds, from <c>stats</c> "time").</summary>
    public long ServerTimeAtStart { get; set; }

    /// <summary>The dump host's clock at the same moment (unix seconds).</summary>
    public long HostTimeAtStart { get; set; }

    /// <summary>The pid of the memcached that was listed (0: not recorded).</summary>
    public long ServerPid { get; set; }

    /// <summary>When the memcached that was listed started (unix seconds, its clock minus its uptime; 0: not recorded).</summary>
    public long ServerStartedAt { get; set; }
}

/// <summary>A key file (listing spool) in <c>keys/</c>.</summary>
public sealed class DumpManifestKeyFile
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The server it lists (<c>host:port</c>), when known.</summary>
    public string? Server { get; set; }

    /// <summary>Listing lines it holds.</summary>
    public long Lines { get; set; }

    /// <summary>True once every key in it was fetched and its data files are listed in <see cref="DumpManifest.Files"/>.</summary>
    public bool Fetched { get; set; }
}

/// <summary>A completed data file in <c>data/</c>.</summary>
public sealed class DumpManifestFile
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The key file whose keys it holds, when files are tied to key files.</summary>
    public string? KeyFile { get; set; }

    public long Records { get; set; }

    public long Bytes { get; set; }

    /// <summary>SHA-256 of the whole file, 64 lowercase hex digits.</summary>
    public string Sha256 { get; set; } = string.Empty;

    /// <summary>CRC-32C of the file, 8 hex digits (big-endian), when the manifest's checksumAlgorithm is "crc32c".</summary>
    public string? Crc32c { get; set; }

    /// <summary>The file's checksum in the manifest's algorithm.</summary>
    public string? ChecksumFor(Dump.ChecksumAlgorithm algorithm) => algorithm == Dump.ChecksumAlgorithm.Crc32C ? Crc32c : Sha256;
}
