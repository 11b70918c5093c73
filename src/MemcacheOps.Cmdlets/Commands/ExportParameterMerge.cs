using MemcacheOps.Engine;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;
using Cmd = MemcacheOps.Cmdlets.Commands.ExportMemcacheDataCommand;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// Builds Export-MemcacheData's engine options the way <c>memcacheops export</c> does: start from the
/// cachemover file (<see cref="CachemoverMapping.ToExportOptions"/>) or, without one, from the engine's
/// defaults, then apply each parameter the user bound explicitly, so a parameter always overrides the file
/// and a parameter left out never does. Free of PowerShell types so it is unit-tested directly.
/// </summary>
internal static class ExportParameterMerge
{
    /// <summary>The options for one export; throws <see cref="MemcacheException"/> for settings that cannot work together.</summary>
    /// <param name="config">The configuration file read for -ConfigFile; null without one.</param>
    /// <param name="boundParameters">The parameters the user bound (MyInvocation.BoundParameters); only their names are read.</param>
    /// <param name="values">The parameters' values.</param>
    public static ExportOptions Merge(CachemoverConfig? config, IDictionary<string, object> boundParameters, ExportParameterValues values)
    {
        ArgumentNullException.ThrowIfNull(boundParameters);
        ArgumentNullException.ThrowIfNull(values);
        var bound = new HashSet<string>(boundParameters.Keys, StringComparer.OrdinalIgnoreCase);
        bool Given(string name) => bound.Contains(name);

        var options = config is null ? FromParameters(values) : FromFile(config, values);
        options = options with
        {
            Connections = Given(nameof(Cmd.Connections)) ? values.Connections : options.Connections,
            BatchSize = Given(nameof(Cmd.BatchSize)) ? values.BatchSize : options.BatchSize,
            Window = Given(nameof(Cmd.Window)) ? values.Window : options.Window,
            MemoryLimit = Given(nameof(Cmd.MemoryLimit)) ? values.MemoryLimit : options.MemoryLimit,
            KeyFileSize = Given(nameof(Cmd.KeyFileSize)) ? values.KeyFileSize : options.KeyFileSize,
            DataFileSize = Given(nameof(Cmd.DataFileSize)) ? values.DataFileSize : options.DataFileSize,
            OnlyExpireAfterSeconds = Given(nameof(Cmd.OnlyExpireAfter)) ? values.OnlyExpireAfter : options.OnlyExpireAfterSeconds,
            RequestId = Given(nameof(Cmd.RequestId)) ? values.RequestId : options.RequestId,
            Resume = Given(nameof(Cmd.Resume)) ? values.Resume : options.Resume,
            Force = Given(nameof(Cmd.Force)) && values.Force,
            Layout = Given(nameof(Cmd.Layout)) ? values.Layout : options.Layout,
            Checksum = Given(nameof(Cmd.Checksum)) ? values.Checksum : options.Checksum,
            MaxOperationsPerSecond = Given(nameof(Cmd.MaxOpsPerSecond)) ? values.MaxOpsPerSecond : null,
            MaxBytesPerSecond = Given(nameof(Cmd.MaxBytesPerSecond)) ? values.MaxBytesPerSecond : null,
            Listing = Given(nameof(Cmd.Method)) ? options.Listing with { Method = values.Method } : options.Listing,
            Connection = values.Connection,
        };
        if (values.Include is not null || values.Exclude is not null)
            options = options with { Filter = new KeyFilter(values.Include, values.Regex, excludePattern: values.Exclude, excludeIsRegex: values.Regex) };
        if (values.Keys is not null)
            options = options with { Keys = values.Keys };
        return options with { Ketama = Ketama(config, bound, values) };
    }

    private static ExportOptions FromParameters(ExportParameterValues values) => new()
    {
        Servers = values.Servers ?? throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "ServerRequired",
            "No server to dump: give -Server (or -ConfigFile with a file that has ip and port)."),
        Path = values.Path ?? throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "PathRequired",
            "No dump folder: give -Path (or -ConfigFile with a file that has output_dir)."),
    };

    private static ExportOptions FromFile(CachemoverConfig config, ExportParameterValues values)
    {
        // is_s3_dump (s3_bucket, s3_final_path, sqs_queue) is read by the cmdlet's publish options, not here.
        // The ring is built below from the file and the parameters together, so that a parameter can
        // complete or replace what the file says (the mapping alone would refuse dest_ips without all_ips).
        var withoutRing = config with { AllIps = null, DestIps = null };
        return CachemoverMapping.ToExportOptions(withoutRing, values.Servers, values.Path);
    }

    /// <summary>
    /// The ketama filter from -RingServer/-DestinationServer/-PointsPerServer/-RingForm, each falling back
    /// to the file's all_ips/dest_ips/ketama_bucket_size. Keys are filtered only when there are servers to keep.
    /// </summary>
    private static KetamaFilter? Ketama(CachemoverConfig? config, HashSet<string> bound, ExportParameterValues values)
    {
        var ringGiven = bound.Contains(nameof(Cmd.RingServer)) && values.RingServer is { Count: > 0 };
        var keepGiven = bound.Contains(nameof(Cmd.DestinationServer)) && values.DestinationServer is { Count: > 0 };
        var ring = ringGiven ? values.RingServer : config?.AllIps;
        var keep = keepGiven ? values.DestinationServer : config?.DestIps;
        if (keep is not { Count: > 0 })
        {
            if (ringGiven)
                throw Incomplete(config, "-RingServer (cachemover: all_ips) was given without -DestinationServer (dest_ips): also give the servers of the ring whose keys to keep", "dest_ips");
            return null;
        }
        if (ring is not { Count: > 0 })
            throw Incomplete(config, "-DestinationServer (cachemover: dest_ips) needs the ring its servers belong to: also give -RingServer (all_ips) with every server of the ring", "all_ips");
        var points = bound.Contains(nameof(Cmd.PointsPerServer)) ? values.PointsPerServer : config?.KetamaBucketSize ?? KetamaRing.DefaultPointsPerServer;
        var form = bound.Contains(nameof(Cmd.RingForm)) ? values.RingForm : KetamaForm.Spymemcached;
        return new KetamaFilter(new KetamaRing(ring.Select(s => new KetamaNode(s)), form, points), keep);
    }

    private static MemcacheException Incomplete(CachemoverConfig? config, string problem, string missingKey)
    {
        var file = config is null ? string.Empty : $" ({config.SourcePath ?? "the configuration"} has no {missingKey} either)";
        return new MemcacheException(MemcacheErrorKind.InvalidArgument, "KetamaFilterIncomplete", $"{problem}{file}.", config?.SourcePath);
    }
}
