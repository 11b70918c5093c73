namespace MemcacheOps.Engine.Config;

/// <summary>
/// The keys of a cachemover configuration file, as flags so an operation can state which keys it needs
/// (see <see cref="CachemoverConfig.Validate"/>).
/// </summary>
[Flags]
public enum CachemoverKey
{
    None = 0,
    Ip = 1 << 0,
    Port = 1 << 1,
    Threads = 1 << 2,
    BufSize = 1 << 3,
    MemLimit = 1 << 4,
    KeyFileSize = 1 << 5,
    DataFileSize = 1 << 6,
    LogFilePath = 1 << 7,
    OutputDir = 1 << 8,
    ReqId = 1 << 9,
    BulkGetThreshold = 1 << 10,
    OnlyExpireAfterSeconds = 1 << 11,
    CheckpointResume = 1 << 12,
    IsS3Dump = 1 << 13,
    S3Bucket = 1 << 14,
    S3FinalPath = 1 << 15,
    SqsQueue = 1 << 16,
    KetamaBucketSize = 1 << 17,
    AllIps = 1 << 18,
    DestIps = 1 << 19,

    /// <summary>The ten keys cachemover itself refuses to start without.</summary>
    CachemoverRequired = Ip | Port | Threads | BufSize | MemLimit | KeyFileSize | DataFileSize | LogFilePath | OutputDir | ReqId,
}

/// <summary>What kind of value a key holds; decides how a file's text is parsed and checked.</summary>
public enum CachemoverValueKind
{
    Host,
    Port,
    Count,
    ByteSize,
    Seconds,
    Boolean,
    Text,
    OptionalText,
    BucketName,
    QueueName,
    EndpointList,
}

/// <summary>One key of the file: its flag, its name in the file, its value kind and its limits.</summary>
public sealed record CachemoverKeyInfo(CachemoverKey Key, string Name, CachemoverValueKind Kind, long Min, long Max)
{
    /// <summary>Plain words for what the key accepts, used in every error about it.</summary>
    public string Expected => Kind switch
    {
        CachemoverValueKind.Host => "a host name or IP address",
        CachemoverValueKind.Port => $"a port number from {Min} to {Max}",
        CachemoverValueKind.Count => $"a whole number from {Min} to {Max}",
        CachemoverValueKind.ByteSize => $"a size in bytes from {Min} to {Max}",
        CachemoverValueKind.Seconds => $"a number of seconds from {Min} to {Max}",
        CachemoverValueKind.Boolean => "true or false",
        CachemoverValueKind.Text => "a non-empty text",
        CachemoverValueKind.OptionalText => "a text",
        CachemoverValueKind.BucketName => "an S3 bucket name (3-63 characters: letters, digits, '.', '-', '_')",
        CachemoverValueKind.QueueName => "an SQS queue name (1-80 characters: letters, digits, '-', '_', optionally ending in .fifo)",
        CachemoverValueKind.EndpointList => "a list of \"ip:port\" strings",
        _ => "a value",
    };
}

/// <summary>The table of every key cachemover knows, in the order its README lists them.</summary>
public static class CachemoverKeys
{
    public static IReadOnlyList<CachemoverKeyInfo> All { get; } =
    [
        new(CachemoverKey.Ip, "ip", CachemoverValueKind.Host, 0, 0),
        new(CachemoverKey.Port, "port", CachemoverValueKind.Port, 1, 65535),
        new(CachemoverKey.Threads, "threads", CachemoverValueKind.Count, 1, 1024),
        new(CachemoverKey.BufSize, "bufsize", CachemoverValueKind.ByteSize, 1, long.MaxValue),
        new(CachemoverKey.MemLimit, "memlimit", CachemoverValueKind.ByteSize, 1, long.MaxValue),
        new(CachemoverKey.KeyFileSize, "key_file_size", CachemoverValueKind.ByteSize, 1, long.MaxValue),
        new(CachemoverKey.DataFileSize, "data_file_size", CachemoverValueKind.ByteSize, 1, long.MaxValue),
        new(CachemoverKey.LogFilePath, "log_file_path", CachemoverValueKind.Text, 0, 0),
        new(CachemoverKey.OutputDir, "output_dir", CachemoverValueKind.Text, 0, 0),
        new(CachemoverKey.ReqId, "req_id", CachemoverValueKind.Text, 0, 0),
        new(CachemoverKey.BulkGetThreshold, "bulk_get_threshold", CachemoverValueKind.Count, 1, 1_000_000),
        new(CachemoverKey.OnlyExpireAfterSeconds, "only_expire_after_s", CachemoverValueKind.Seconds, 0, int.MaxValue),
        new(CachemoverKey.CheckpointResume, "checkpoint_resume", CachemoverValueKind.Boolean, 0, 0),
        new(CachemoverKey.IsS3Dump, "is_s3_dump", CachemoverValueKind.Boolean, 0, 0),
        new(CachemoverKey.S3Bucket, "s3_bucket", CachemoverValueKind.BucketName, 0, 0),
        new(CachemoverKey.S3FinalPath, "s3_final_path", CachemoverValueKind.OptionalText, 0, 0),
        new(CachemoverKey.SqsQueue, "sqs_queue", CachemoverValueKind.QueueName, 0, 0),
        new(CachemoverKey.KetamaBucketSize, "ketama_bucket_size", CachemoverValueKind.Count, 1, 1_000_000),
        new(CachemoverKey.AllIps, "all_ips", CachemoverValueKind.EndpointList, 0, 0),
        new(CachemoverKey.DestIps, "dest_ips", CachemoverValueKind.EndpointList, 0, 0),
    ];

    private static readonly Dictionary<string, CachemoverKeyInfo> ByName =
        All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    private static readonly Dictionary<CachemoverKey, CachemoverKeyInfo> ByKey = All.ToDictionary(k => k.Key);

    /// <summary>Finds a key by its exact name in the file (names are case-sensitive, as in cachemover).</summary>
    public static bool TryGet(string name, out CachemoverKeyInfo info) => ByName.TryGetValue(name, out info!);

    /// <summary>The table entry of one (single-flag) key.</summary>
    public static CachemoverKeyInfo Get(CachemoverKey key) => ByKey.TryGetValue(key, out var info)
        ? info
        : throw new ArgumentOutOfRangeException(nameof(key), key, "Not a single cachemover key.");

    /// <summary>File names of every key in <paramref name="keys"/>, in table order.</summary>
    public static IReadOnlyList<string> NamesOf(CachemoverKey keys)
        => All.Where(k => (keys & k.Key) != 0).Select(k => k.Name).ToList();

    /// <summary>The known key whose name is closest to <paramref name="name"/> (for "did you mean"), or null.</summary>
    public static string? Closest(string name)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var info in All)
        {
            var d = EditDistance(name.ToLowerInvariant(), info.Name);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = info.Name;
            }
        }
        // A suggestion further than a third of the name away is noise, not help.
        return bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
