using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Config;

/// <summary>
/// Every setting of a cachemover configuration file (the YAML its dumper reads), so a cachemover user's
/// file works with MemcacheOps unchanged. Each property is null when the file did not give it: explicit
/// parameters override the file, and the caller must be able to tell "not given" from a default. The
/// <c>Effective…</c> properties apply cachemover's documented defaults.
/// </summary>
/// <remarks>
/// Reading a file never checks which keys are present; <see cref="Validate"/> does, with the set of keys
/// the operation at hand needs. cachemover refuses to start without its ten required keys
/// (<see cref="CachemoverKey.CachemoverRequired"/>), but MemcacheOps has no use for some of them (it never
/// writes cachemover's log file, and an import needs no source server), so a MemcacheOps user may leave
/// them out while a file written for cachemover still reads as is.
/// </remarks>
public sealed record CachemoverConfig
{
    public const int DefaultBulkGetThreshold = 30;
    public const long DefaultOnlyExpireAfterSeconds = 0;

    /// <summary>The file the settings came from, named in every error; null when built in code.</summary>
    public string? SourcePath { get; init; }

    /// <summary><c>ip</c>: the memcached server to dump.</summary>
    public string? Ip { get; init; }

    /// <summary><c>port</c>: the memcached server's port.</summary>
    public int? Port { get; init; }

    /// <summary><c>threads</c>: dump threads (cachemover allocates two buffers per thread).</summary>
    public int? Threads { get; init; }

    /// <summary><c>bufsize</c>: size of one buffer, in bytes.</summary>
    public long? BufSize { get; init; }

    /// <summary><c>memlimit</c>: memory limit in bytes; cachemover requires at least <c>bufsize × threads × 2</c>.</summary>
    public long? MemLimit { get; init; }

    /// <summary><c>key_file_size</c>: soft size limit of one key file, in bytes.</summary>
    public long? KeyFileSize { get; init; }

    /// <summary><c>data_file_size</c>: soft size limit of one data file, in bytes.</summary>
    public long? DataFileSize { get; init; }

    /// <summary><c>log_file_path</c>: cachemover's log file (accepted, not used by MemcacheOps).</summary>
    public string? LogFilePath { get; init; }

    /// <summary><c>output_dir</c>: the dump folder.</summary>
    public string? OutputDir { get; init; }

    /// <summary><c>req_id</c>: the run's id; part of every S3 object key and SQS message.</summary>
    public string? ReqId { get; init; }

    /// <summary><c>bulk_get_threshold</c>: keys fetched per batch (default 30).</summary>
    public int? BulkGetThreshold { get; init; }

    /// <summary><c>only_expire_after_s</c>: dump only items that live at least this many more seconds (default 0: all).</summary>
    public long? OnlyExpireAfterSeconds { get; init; }

    /// <summary><c>checkpoint_resume</c>: resume an interrupted dump (default false).</summary>
    public bool? CheckpointResume { get; init; }

    /// <summary><c>is_s3_dump</c>: upload finished data files to S3 and announce them on SQS (default false).</summary>
    public bool? IsS3Dump { get; init; }

    /// <summary><c>s3_bucket</c>: bucket the data files go to.</summary>
    public string? S3Bucket { get; init; }

    /// <summary><c>s3_final_path</c>: key prefix under the bucket; objects are <c>&lt;s3_final_path&gt;/&lt;req_id&gt;/&lt;file&gt;</c>.</summary>
    public string? S3FinalPath { get; init; }

    /// <summary><c>sqs_queue</c>: name of the queue that receives one message per uploaded file.</summary>
    public string? SqsQueue { get; init; }

    /// <summary><c>ketama_bucket_size</c>: points per server on the ketama ring used to filter keys.</summary>
    public int? KetamaBucketSize { get; init; }

    /// <summary><c>all_ips</c>: every server of the destination ring ("ip:port").</summary>
    public IReadOnlyList<ServerEndpoint>? AllIps { get; init; }

    /// <summary><c>dest_ips</c>: the servers of <see cref="AllIps"/> whose keys are kept.</summary>
    public IReadOnlyList<ServerEndpoint>? DestIps { get; init; }

    public int EffectiveBulkGetThreshold => BulkGetThreshold ?? DefaultBulkGetThreshold;

    public long EffectiveOnlyExpireAfterSeconds => OnlyExpireAfterSeconds ?? DefaultOnlyExpireAfterSeconds;

    public bool EffectiveCheckpointResume => CheckpointResume ?? false;

    public bool EffectiveIsS3Dump => IsS3Dump ?? false;

    /// <summary>The keys that have a value.</summary>
    public CachemoverKey PresentKeys
    {
        get
        {
            var keys = CachemoverKey.None;
            foreach (var info in CachemoverKeys.All)
            {
                if (GetValue(info.Key) is not null)
                    keys |= info.Key;
            }
            return keys;
        }
    }

    /// <summary>
    /// Checks that every key in <paramref name="requiredKeys"/> has a value, that every value is valid (values
    /// may have been set by parameters after the file was read), and that the keys agree with each other the
    /// way cachemover demands: S3 dumps need bucket, path and queue; <c>dest_ips</c> needs <c>all_ips</c>
    /// (containing every destination) and <c>ketama_bucket_size</c>; <c>memlimit</c> must hold
    /// <c>bufsize × threads × 2</c>. Pass <see cref="CachemoverKey.CachemoverRequired"/> to accept exactly
    /// what cachemover accepts; pass the keys an operation uses to let users leave out the rest.
    /// Throws <see cref="MemcacheException"/> (InvalidArgument, ConfigInvalid) listing every problem found.
    /// </summary>
    public void Validate(CachemoverKey requiredKeys)
    {
        var problems = new List<string>();

        var missing = CachemoverKeys.NamesOf(requiredKeys & ~PresentKeys);
        if (missing.Count > 0)
            problems.Add($"{(missing.Count == 1 ? "the required key" : "the required keys")} {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} missing");

        problems.AddRange(ValueProblems());

        if (EffectiveIsS3Dump)
        {
            var s3Missing = new List<string>();
            if (string.IsNullOrEmpty(S3Bucket)) s3Missing.Add("s3_bucket");
            if (string.IsNullOrEmpty(S3FinalPath)) s3Missing.Add("s3_final_path");
            if (string.IsNullOrEmpty(SqsQueue)) s3Missing.Add("sqs_queue");
            if (string.IsNullOrEmpty(ReqId)) s3Missing.Add("req_id");
            if (s3Missing.Count > 0)
                problems.Add($"is_s3_dump is true, which needs {string.Join(", ", s3Missing)}");
        }

        if (DestIps is { Count: > 0 })
        {
            if (AllIps is not { Count: > 0 })
            {
                problems.Add("dest_ips needs all_ips (every server of the destination ring)");
            }
            else
            {
                var all = new HashSet<ServerEndpoint>(AllIps);
                var strangers = DestIps.Where(d => !all.Contains(d)).Select(d => d.ToString()).ToList();
                if (strangers.Count > 0)
                    problems.Add($"dest_ips lists {string.Join(", ", strangers)}, which all_ips does not contain");
            }
            if (KetamaBucketSize is null)
                problems.Add("dest_ips needs ketama_bucket_size (the number of ring points per server)");
        }

        if (MemLimit is { } memLimit && BufSize is { } bufSize && Threads is { } threads
            && (decimal)bufSize * threads * 2 > memLimit)
        {
            problems.Add($"memlimit {memLimit} is less than bufsize x threads x 2 = {(decimal)bufSize * threads * 2} bytes");
        }

        ThrowIfAny(problems);
    }

    /// <summary>
    /// Checks only that every value the configuration has is valid by cachemover's rules (the file reader
    /// checks them as it reads; a configuration built in code is checked here), without asking for any key
    /// or relating keys to each other. Throws <see cref="MemcacheException"/> (InvalidArgument, ConfigInvalid)
    /// naming every bad key and what it expects.
    /// </summary>
    public void ValidateValues() => ThrowIfAny(ValueProblems());

    private List<string> ValueProblems()
    {
        var problems = new List<string>();
        foreach (var info in CachemoverKeys.All)
        {
            var problem = ProblemWithValue(info);
            if (problem is not null)
                problems.Add($"'{info.Name}' expects {info.Expected}, but {problem}");
        }
        return problems;
    }

    private void ThrowIfAny(List<string> problems)
    {
        if (problems.Count == 0)
            return;
        var where = SourcePath is null ? "The cachemover configuration" : $"The configuration file '{SourcePath}'";
        throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "ConfigInvalid",
            $"{where} is not usable: {string.Join("; ", problems)}. Fix the file or give the values as parameters.",
            SourcePath);
    }

    private object? GetValue(CachemoverKey key) => key switch
    {
        CachemoverKey.Ip => Ip,
        CachemoverKey.Port => Port,
        CachemoverKey.Threads => Threads,
        CachemoverKey.BufSize => BufSize,
        CachemoverKey.MemLimit => MemLimit,
        CachemoverKey.KeyFileSize => KeyFileSize,
        CachemoverKey.DataFileSize => DataFileSize,
        CachemoverKey.LogFilePath => LogFilePath,
        CachemoverKey.OutputDir => OutputDir,
        CachemoverKey.ReqId => ReqId,
        CachemoverKey.BulkGetThreshold => BulkGetThreshold,
        CachemoverKey.OnlyExpireAfterSeconds => OnlyExpireAfterSeconds,
        CachemoverKey.CheckpointResume => CheckpointResume,
        CachemoverKey.IsS3Dump => IsS3Dump,
        CachemoverKey.S3Bucket => S3Bucket,
        CachemoverKey.S3FinalPath => S3FinalPath,
        CachemoverKey.SqsQueue => SqsQueue,
        CachemoverKey.KetamaBucketSize => KetamaBucketSize,
        CachemoverKey.AllIps => AllIps,
        CachemoverKey.DestIps => DestIps,
        _ => null,
    };

    private string? ProblemWithValue(CachemoverKeyInfo info) => GetValue(info.Key) switch
    {
        null => null,
        string text => CachemoverValueRules.ProblemWithText(info, text),
        int number => CachemoverValueRules.IsInRange(info, number) ? null : $"it is {number}",
        long number => CachemoverValueRules.IsInRange(info, number) ? null : $"it is {number}",
        IReadOnlyList<ServerEndpoint> endpoints => CachemoverValueRules.ProblemWithEndpoints(endpoints),
        _ => null,
    };
}
