namespace MemcacheOps.Engine.Export;

/// <summary>What an export did: one per dump (Export-MemcacheData output).</summary>
public sealed class ExportResult
{
    public required string Server { get; init; }
    public required string Path { get; init; }
    public DumpLayout Layout { get; init; }
    public string? RequestId { get; init; }

    /// <summary>True when the dump is complete (its manifest or DONE says so).</summary>
    public bool Complete { get; init; }

    /// <summary>Keys the listing found.</summary>
    public long Listed { get; init; }

    /// <summary>Records written to data files.</summary>
    public long Dumped { get; init; }

    /// <summary>Keys that vanished between listing and fetch (expired, evicted or deleted): not errors.</summary>
    public long Missing { get; init; }

    /// <summary>Keys left out by patterns, the ketama filter or the minimum remaining lifetime.</summary>
    public long Filtered { get; init; }

    /// <summary>
    /// Keys that could not be fetched because memcached's meta protocol cannot address them (e.g. binary keys
    /// longer than base64 allows). The first few are named in warnings; the rest are counted here only.
    /// </summary>
    public long Skipped { get; init; }

    /// <summary>Value bytes written.</summary>
    public long Bytes { get; init; }

    public int Files { get; init; }
    public TimeSpan Duration { get; init; }
    public double ItemsPerSecond { get; init; }
    /// <summary>Value bytes per second in MiB (1,048,576 bytes), as the CLI prints it (MiB/s).</summary>
    public double MegabytesPerSecond { get; init; }

    /// <summary>Peak resident memory of this process during the export.</summary>
    public long PeakMemoryBytes { get; init; }

    /// <summary>The data files written (full paths), so the result can be piped to Import-MemcacheData.</summary>
    public IReadOnlyList<string> DataFiles { get; init; } = [];

    /// <summary>Anything the user should know about this dump (fallbacks, resumes, skipped keys).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Where the data files were uploaded (<c>s3://bucket/prefix/req_id/</c>); null for a dump kept on disk only.</summary>
    public string? Destination { get; internal set; }

    /// <summary>Data files uploaded by this run (with a resumed dump, those not uploaded before).</summary>
    public int Uploaded { get; internal set; }

    /// <summary>Bytes of the data files uploaded by this run.</summary>
    public long UploadedBytes { get; internal set; }

    /// <summary>Queue messages sent by this run, one per uploaded data file.</summary>
    public int Announced { get; internal set; }
}
