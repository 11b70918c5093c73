using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Distributed;

namespace MemcacheOps.Engine.Config;

/// <summary>
/// What a cachemover configuration alone means for an export. The merge with explicit parameters, which
/// both front ends use, is <see cref="ExportSettingsMerge"/>; this is its no-parameters case.
/// </summary>
public static class CachemoverMapping
{
    /// <summary>Keys MemcacheOps needs from a file when the command line does not supply them.</summary>
    public const CachemoverKey NeededForExport = CachemoverKey.Ip | CachemoverKey.OutputDir;

    /// <summary>
    /// The S3 side of an export when the file says <c>is_s3_dump: true</c> (null otherwise): <c>s3_bucket</c>,
    /// <c>s3_final_path</c> and <c>sqs_queue</c>, which cachemover requires together with <c>req_id</c> (the
    /// export's <see cref="Export.ExportOptions.RequestId"/>). Objects are then <c>s3_final_path/req_id/file</c>,
    /// as cachemover names them.
    /// </summary>
    public static ChunkPublishOptions? ToChunkPublishOptions(CachemoverConfig config, CloudOptions? cloud = null)
        => ExportSettingsMerge.MergePublish(config, ExportOverrides.None) is { } publish
            ? publish with { Cloud = cloud ?? new CloudOptions() }
            : null;
}
