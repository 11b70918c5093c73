using MemcacheOps.Engine;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Export;
using Cmd = MemcacheOps.Cmdlets.Commands.ExportMemcacheDataCommand;

namespace MemcacheOps.Cmdlets.Commands;

/// <summary>
/// Turns Export-MemcacheData's parameters into the engine's <see cref="ExportOverrides"/>: a parameter the
/// user bound explicitly (MyInvocation.BoundParameters) becomes a value, one left out stays null, so the
/// engine's single merge (<see cref="ExportSettingsMerge"/>, shared with <c>memcacheops export</c>) lets it
/// override the cachemover file or leaves the file's value. Free of PowerShell types so it is unit-tested directly.
/// </summary>
internal static class ExportParameterMerge
{
    /// <summary>The export's options (the local dump; see <see cref="ExportSettingsMerge.MergeExport"/>).</summary>
    /// <param name="config">The configuration file read for -ConfigFile; null without one.</param>
    /// <param name="boundParameters">The parameters the user bound (MyInvocation.BoundParameters); only their names are read.</param>
    /// <param name="values">The parameters' values.</param>
    public static ExportOptions Merge(CachemoverConfig? config, IDictionary<string, object> boundParameters, ExportParameterValues values)
        => ExportSettingsMerge.MergeExport(config, ToOverrides(boundParameters, values));

    /// <summary>
    /// The explicit settings: each parameter's value when it was bound, null otherwise. Servers, path, keys and
    /// patterns are already null in <paramref name="values"/> when not given (the cmdlet's parameter set decides).
    /// </summary>
    public static ExportOverrides ToOverrides(IDictionary<string, object> boundParameters, ExportParameterValues values)
    {
        ArgumentNullException.ThrowIfNull(boundParameters);
        ArgumentNullException.ThrowIfNull(values);
        // PowerShell matches parameter names ignoring case; so does this.
        var bound = new HashSet<string>(boundParameters.Keys, StringComparer.OrdinalIgnoreCase);
        T? Given<T>(string name, T value) where T : struct => bound.Contains(name) ? value : null;
        return new ExportOverrides
        {
            Servers = values.Servers,
            Path = values.Path,
            Keys = values.Keys,
            Connections = Given(nameof(Cmd.Connections), values.Connections),
            BatchSize = Given(nameof(Cmd.BatchSize), values.BatchSize),
            Window = Given(nameof(Cmd.Window), values.Window),
            MemoryLimit = Given(nameof(Cmd.MemoryLimit), values.MemoryLimit),
            KeyFileSize = Given(nameof(Cmd.KeyFileSize), values.KeyFileSize),
            DataFileSize = Given(nameof(Cmd.DataFileSize), values.DataFileSize),
            OnlyExpireAfterSeconds = Given(nameof(Cmd.OnlyExpireAfter), values.OnlyExpireAfter),
            RequestId = bound.Contains(nameof(Cmd.RequestId)) ? values.RequestId : null,
            Resume = Given(nameof(Cmd.Resume), values.Resume),
            Force = Given(nameof(Cmd.Force), values.Force),
            Include = values.Include,
            Exclude = values.Exclude,
            Regex = values.Regex,
            RingServers = bound.Contains(nameof(Cmd.RingServer)) ? values.RingServer : null,
            DestinationServers = bound.Contains(nameof(Cmd.DestinationServer)) ? values.DestinationServer : null,
            PointsPerServer = Given(nameof(Cmd.PointsPerServer), values.PointsPerServer),
            RingForm = Given(nameof(Cmd.RingForm), values.RingForm),
            HashSalt = bound.Contains(nameof(Cmd.HashSalt)) ? values.HashSalt : null,
            HashWeights = bound.Contains(nameof(Cmd.HashWeight)) ? values.HashWeight : null,
            Layout = Given(nameof(Cmd.Layout), values.Layout),
            Checksum = Given(nameof(Cmd.Checksum), values.Checksum),
            MaxOperationsPerSecond = Given(nameof(Cmd.MaxOpsPerSecond), values.MaxOpsPerSecond),
            MaxBytesPerSecond = Given(nameof(Cmd.MaxBytesPerSecond), values.MaxBytesPerSecond),
            Method = Given(nameof(Cmd.Method), values.Method),
            Connection = values.Connection,
            S3Bucket = values.S3Bucket,
            S3Prefix = values.S3Prefix,
            SqsQueue = values.SqsQueue,
            RemoveLocal = Given(nameof(Cmd.RemoveLocal), values.RemoveLocal),
        };
    }
}
