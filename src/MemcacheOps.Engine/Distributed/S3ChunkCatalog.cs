using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// Decides which objects of a bucket are data files to import and how each is verified. A folder with a
/// <c>manifest.json</c> is a MemcacheOps dump: exactly the files it lists are imported (beside it, or in its
/// <c>data/</c> folder when a whole dump folder was copied), held to the SHA-256, record count and length it
/// recorded, and the rules for incomplete dumps apply. Without a manifest, an object's <c>cacheDumpChunk</c>
/// metadata entry gives the same facts; failing that, a cachemover name gives its MD5; a <c>.v0</c> name or an
/// object named explicitly is imported with only its structure checked. Key files, markers and staging files
/// are never imported.
/// </summary>
internal sealed class S3ChunkCatalog
{
    private static readonly HashSet<string> SideFileNames = new(StringComparer.Ordinal)
    {
        ChunkKeys.ManifestName, NativeLayout.ManifestFileName + ".tmp", CachemoverLayout.DoneFileName, CachemoverLayout.MetricsCheckpointFileName,
        CachemoverLayout.AllKeyFilesDumpedFileName, PublishJournal.FileName,
    };

    private static readonly HashSet<string> SideFolders = new(StringComparer.Ordinal)
    {
        NativeLayout.KeysFolder, CachemoverLayout.KeyFileFolder, CachemoverLayout.StagingFolder, ".memcacheops",
    };

    private readonly IChunkStore _store;
    private readonly S3ImportOptions _options;
    private readonly WorkFolder _work;
    private readonly IOperationSink _sink;
    private readonly Dictionary<ObjectLocation, DumpManifest?> _manifests = [];
    private readonly HashSet<ObjectLocation> _added = [];
    private readonly HashSet<ObjectLocation> _reportedIncomplete = [];

    private S3ChunkCatalog(IChunkStore store, S3ImportOptions options, WorkFolder work, IOperationSink sink)
    {
        _store = store;
        _options = options;
        _work = work;
        _sink = sink;
    }

    /// <summary>The chunks to import, in a stable order.</summary>
    public List<RemoteChunk> Chunks { get; } = [];

    /// <summary>Dumps and files that were reported as errors and are not imported (S3 addresses).</summary>
    public List<string> Refused { get; } = [];

    public List<string> Notes { get; } = [];

    public static async Task<S3ChunkCatalog> BuildAsync(IChunkStore store, S3ImportOptions options, WorkFolder work, IOperationSink sink, CancellationToken cancellationToken)
    {
        var catalog = new S3ChunkCatalog(store, options, work, sink);
        foreach (var prefix in options.Prefixes)
            await catalog.AddPrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
        await catalog.AddObjectsAsync(options.Objects, cancellationToken).ConfigureAwait(false);
        return catalog;
    }

    private async Task AddPrefixAsync(ObjectPrefix prefix, CancellationToken cancellationToken)
    {
        var objects = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
        await foreach (var item in _store.ListAsync(prefix.Bucket, prefix.Prefix, cancellationToken).ConfigureAwait(false))
            objects[item.Location.Key] = item;
        if (objects.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "S3DumpNotFound",
                $"Nothing is stored under {prefix}. Check the bucket and the prefix (keys are case-sensitive).", prefix.ToString());

        var chunksBefore = Chunks.Count;
        var refusedBefore = Refused.Count;
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var manifestKey in objects.Keys.Where(k => ChunkKeys.NameOf(k) == ChunkKeys.ManifestName).ToList())
        {
            var folder = ChunkKeys.FolderOf(manifestKey);
            // The manifest's folder and its data/ folder belong to the manifest: nothing there is imported unless listed.
            foreach (var key in objects.Keys.Where(k => ChunkKeys.FolderOf(k) == folder || ChunkKeys.FolderOf(k) == folder + NativeLayout.DataFolder + "/"))
                claimed.Add(key);
            var location = new ObjectLocation(prefix.Bucket, manifestKey);
            var manifest = await ManifestAtAsync(location, cancellationToken).ConfigureAwait(false);
            if (manifest is null || !AcceptDump(manifest, location))
                continue;
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in manifest.Files)
            {
                var key = folder + entry.Name;
                if (!objects.ContainsKey(key))
                    key = folder + NativeLayout.DataFolder + "/" + entry.Name;
                if (!objects.ContainsKey(key))
                {
                    Refuse(new MemcacheException(MemcacheErrorKind.InvalidData, "DumpFileMissing",
                        $"{ObjectPrefix.Scheme}{prefix.Bucket}/{folder}{entry.Name} is listed in the manifest {location} but is not in the bucket. Upload the whole dump again, or export again.",
                        $"{ObjectPrefix.Scheme}{prefix.Bucket}/{folder}{entry.Name}"));
                    continue;
                }
                listed.Add(key);
                Add(RemoteChunk.FromManifest(new ObjectLocation(prefix.Bucket, key), manifest, entry));
            }
            var unlisted = objects.Keys.Where(k => claimed.Contains(k) && !listed.Contains(k) && !IsSideFile(k)
                && (ChunkKeys.FolderOf(k) == folder || ChunkKeys.FolderOf(k) == folder + NativeLayout.DataFolder + "/")).ToList();
            if (unlisted.Count > 0)
                _sink.Verbose($"{location}: ignored {unlisted.Count} object(s) the manifest does not list: {string.Join(", ", unlisted.Take(5))}");
        }

        var ignored = new List<string>();
        foreach (var (key, _) in objects)
        {
            if (claimed.Contains(key))
                continue;
            if (IsSideFile(key))
            {
                ignored.Add(key);
                continue;
            }
            var location = new ObjectLocation(prefix.Bucket, key);
            var chunk = await FromMetadataAsync(location, cancellationToken).ConfigureAwait(false) ?? RemoteChunk.FromName(location);
            if (chunk.CanBeVerified || key.EndsWith(NativeLayout.DataFileExtension, StringComparison.Ordinal))
                Add(chunk);
            else
                ignored.Add(key);
        }
        if (ignored.Count > 0)
            _sink.Verbose($"{prefix}: ignored {ignored.Count} object(s) that are not data files: {string.Join(", ", ignored.Take(5))}{(ignored.Count > 5 ? ", ..." : string.Empty)}");
        if (Chunks.Count == chunksBefore && Refused.Count == refusedBefore)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "S3DumpNotFound",
                $"No data files were found under {prefix}: no manifest.json, no object with a cacheDumpChunk metadata entry, no cachemover data file and no .v0 file. Check the prefix.",
                prefix.ToString());
    }

    /// <summary>Objects named one by one (piped from Get-S3Object): each is imported when it is a data file.</summary>
    private async Task AddObjectsAsync(IReadOnlyList<ObjectLocation> objects, CancellationToken cancellationToken)
    {
        var named = objects.ToHashSet();
        foreach (var location in objects.Distinct())
        {
            var name = ChunkKeys.NameOf(location.Key);
            if (name == ChunkKeys.ManifestName)
                continue; // used to verify the files beside it
            if (IsSideFile(location.Key))
            {
                _sink.Verbose($"{location} is not a data file (a key file, marker or staging file); skipped.");
                continue;
            }
            var (manifestLocation, manifest) = await ManifestForAsync(location, named, cancellationToken).ConfigureAwait(false);
            if (manifest is not null)
            {
                var entry = manifest.Files.FirstOrDefault(f => f.Name == name);
                if (entry is null)
                {
                    _sink.Warning($"{location} is not listed in the manifest beside it ({manifestLocation}), so it is not part of that dump; skipped.");
                    continue;
                }
                if (AcceptDump(manifest, manifestLocation!))
                    Add(RemoteChunk.FromManifest(location, manifest, entry));
                else
                    Refused.Add(location.ToString());
                continue;
            }
            Add(await FromMetadataAsync(location, cancellationToken).ConfigureAwait(false) ?? RemoteChunk.FromName(location));
        }
    }

    /// <summary>The manifest in the object's folder, or in the folder above a data/ folder; null when there is none.</summary>
    private async Task<(ObjectLocation? Location, DumpManifest? Manifest)> ManifestForAsync(ObjectLocation location, HashSet<ObjectLocation> named,
        CancellationToken cancellationToken)
    {
        var folder = ChunkKeys.FolderOf(location.Key);
        var candidates = new List<string> { folder + ChunkKeys.ManifestName };
        var dataSuffix = NativeLayout.DataFolder + "/";
        if (folder == dataSuffix || folder.EndsWith("/" + dataSuffix, StringComparison.Ordinal))
            candidates.Add(folder[..^dataSuffix.Length] + ChunkKeys.ManifestName);
        foreach (var key in candidates)
        {
            var candidate = new ObjectLocation(location.Bucket, key);
            if (!_manifests.ContainsKey(candidate) && !named.Contains(candidate)
                && await _store.GetDetailsAsync(candidate, cancellationToken).ConfigureAwait(false) is null)
            {
                _manifests[candidate] = null;
            }
            var manifest = await ManifestAtAsync(candidate, cancellationToken).ConfigureAwait(false);
            if (manifest is not null)
                return (candidate, manifest);
        }
        return (null, null);
    }

    /// <summary>Downloads and reads a manifest once; an unreadable one is reported, and its dump is not imported.</summary>
    private async Task<DumpManifest?> ManifestAtAsync(ObjectLocation location, CancellationToken cancellationToken)
    {
        if (_manifests.TryGetValue(location, out var known))
            return known;
        DumpManifest? manifest = null;
        var local = ChunkLocalPath.Resolve(_work.Manifests, location.Key);
        try
        {
            await _store.DownloadFileAsync(location, local, cancellationToken).ConfigureAwait(false);
            manifest = ManifestStore.Read(Path.GetDirectoryName(local)!);
        }
        catch (MemcacheException ex) when (ex.Kind == MemcacheErrorKind.InvalidData || ex.ErrorId.StartsWith("Dump", StringComparison.Ordinal))
        {
            Refuse(new MemcacheException(ex.Kind, ex.ErrorId,
                ex.Message.Replace(local, location.ToString(), StringComparison.Ordinal) + " The files of that dump are not imported.", location.ToString(), ex));
        }
        _manifests[location] = manifest;
        return manifest;
    }

    /// <summary>An incomplete dump is refused unless -AllowIncomplete, and reported once.</summary>
    private bool AcceptDump(DumpManifest manifest, ObjectLocation manifestLocation)
    {
        if (manifest.Complete)
            return true;
        var folder = $"{ObjectPrefix.Scheme}{manifestLocation.Bucket}/{ChunkKeys.FolderOf(manifestLocation.Key)}";
        if (_options.Import.AllowIncomplete)
        {
            var note = $"Loaded the finished files of the incomplete dump {folder}.";
            if (!Notes.Contains(note))
                Notes.Add(note);
            return true;
        }
        if (_reportedIncomplete.Add(manifestLocation))
        {
            Refuse(new MemcacheException(MemcacheErrorKind.InvalidData, "DumpIncomplete",
                $"The dump {folder} is incomplete: its manifest says its export was interrupted or is still running. Finish the export (with -Resume) or load what it has with -AllowIncomplete.",
                folder));
        }
        return false;
    }

    /// <summary>The chunk as its cacheDumpChunk metadata entry describes it; null when it has none (or an unreadable one).</summary>
    private async Task<RemoteChunk?> FromMetadataAsync(ObjectLocation location, CancellationToken cancellationToken)
    {
        var details = await _store.GetDetailsAsync(location, cancellationToken).ConfigureAwait(false);
        if (details is null || !details.Metadata.TryGetValue(DumpChunkAnnouncement.MetadataName.ToLowerInvariant(), out var text))
            return null;
        var parsed = DumpChunkMessageParser.Parse(text, new HashSet<string>(StringComparer.Ordinal) { location.Bucket });
        if (parsed.Announcement is { } announcement)
            return RemoteChunk.FromAnnouncement(location, announcement);
        _sink.Warning($"{location}: its {DumpChunkAnnouncement.MetadataName} metadata entry is not usable ({parsed.Problem}); it is checked by its name or structure only.");
        return null;
    }

    private void Add(RemoteChunk chunk)
    {
        if (_added.Add(chunk.Location))
            Chunks.Add(chunk);
    }

    private void Refuse(MemcacheException error)
    {
        _sink.Error(error);
        Refused.Add(error.Target ?? error.Message);
    }

    /// <summary>Key files, markers, journals, temporary and staging files, folder markers: parts of a dump that are not data.</summary>
    internal static bool IsSideFile(string key)
    {
        var name = ChunkKeys.NameOf(key);
        if (name.Length == 0 || SideFileNames.Contains(name) || name.StartsWith("CHECKPOINTS_", StringComparison.Ordinal)
            || name.EndsWith(NativeLayout.StagingSuffix, StringComparison.Ordinal) || name.EndsWith(".tmp", StringComparison.Ordinal)
            || name.EndsWith(NativeLayout.KeyFileExtension, StringComparison.Ordinal))
        {
            return true;
        }
        var folder = ChunkKeys.FolderOf(key).TrimEnd('/');
        return SideFolders.Contains(ChunkKeys.NameOf(folder));
    }
}
