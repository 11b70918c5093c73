using System.Globalization;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Engine.Export;

/// <summary>
/// Told by <see cref="ExportService"/> about data files as they become final, so they can be shipped elsewhere
/// (to S3, for instance) while the dump goes on. Calls come from the export's worker threads; a call that waits
/// holds back the worker that made it, which is how a slower consumer of the files bounds the files waiting on
/// disk. An exception thrown by any member fails the export, which stays resumable.
/// </summary>
public interface IDumpFileObserver
{
    /// <summary>
    /// The dump folder is ready, before any key is listed: where its manifest lives, and the data files a
    /// resumed dump already lists (empty for a new dump).
    /// </summary>
    ValueTask OnStartedAsync(DumpFolderInfo folder, CancellationToken cancellationToken);

    /// <summary>
    /// The data files made from one key file are renamed into place, hashed, and listed in the manifest; they
    /// never change again.
    /// </summary>
    ValueTask OnFilesListedAsync(IReadOnlyList<DataFileInfo> files, CancellationToken cancellationToken);

    /// <summary>The manifest says the dump is complete and the layout's own end markers are written.</summary>
    ValueTask OnCompletedAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A dump folder as an export prepared it. <see cref="DumpId"/> tells this dump from an earlier one in the same
/// folder: it is the manifest's creation time, which a resume keeps and a new dump (or -Force) changes.
/// </summary>
public sealed record DumpFolderInfo(
    string Root,
    string StateDirectory,
    string DataDirectory,
    string DumpId,
    IReadOnlyList<DataFileInfo> ListedFiles)
{
    /// <summary>Full path of the dump's manifest.json.</summary>
    public string ManifestPath => Path.Combine(StateDirectory, NativeLayout.ManifestFileName);

    /// <summary>The <see cref="DumpId"/> of the dump a manifest describes.</summary>
    public static string DumpIdOf(DumpManifest manifest) => manifest.CreatedUtc.ToString("O", CultureInfo.InvariantCulture);
}
