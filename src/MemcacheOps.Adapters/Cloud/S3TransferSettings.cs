namespace MemcacheOps.Adapters.Cloud;

/// <summary>How files move to and from S3: when to switch to multipart upload, the part size, parallel parts.</summary>
public sealed record S3TransferSettings
{
    /// <summary>S3's smallest allowed part (except the last).</summary>
    public const long MinPartSize = 5L * 1024 * 1024;

    /// <summary>Files at least this large are uploaded in parts.</summary>
    public long MultipartThreshold { get; init; } = 16L * 1024 * 1024;

    /// <summary>Size of each part of a multipart upload (at least <see cref="MinPartSize"/>).</summary>
    public long PartSize { get; init; } = 16L * 1024 * 1024;

    /// <summary>Parts uploaded at the same time by one upload.</summary>
    public int ConcurrentParts { get; init; } = 4;

    /// <summary>Retries of one request after a throttling, server or network error.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Time allowed for one HTTP request (a part, a download stream's start, a listing page).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Objects per listing page; null leaves it to the service (S3 returns up to 1000).</summary>
    public int? ListPageSize { get; init; }

    internal void Check()
    {
        if (PartSize < MinPartSize)
            throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize, $"S3 parts must be at least {MinPartSize} bytes.");
        if (MultipartThreshold < MinPartSize)
            throw new ArgumentOutOfRangeException(nameof(MultipartThreshold), MultipartThreshold, $"The multipart threshold must be at least {MinPartSize} bytes.");
        if (ConcurrentParts < 1)
            throw new ArgumentOutOfRangeException(nameof(ConcurrentParts), ConcurrentParts, "At least one part must be able to upload.");
        if (ListPageSize is < 1 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "A listing page holds 1 to 1000 objects.");
        if (MaxRetries < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "Retries cannot be negative.");
    }
}
