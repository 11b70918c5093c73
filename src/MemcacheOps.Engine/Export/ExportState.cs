using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Engine.Export;

/// <summary>
/// The export's manifest and counters, shared by the listing and the fetch workers. Every change is
/// made under one lock and persisted with an atomic manifest rewrite, following the dump protocol:
/// a file is renamed into place before the manifest lists it, a key file is marked fetched only when
/// all its data files are listed, and <c>complete</c> is written last.
/// </summary>
internal sealed class ExportState(string stateDirectory, DumpManifest manifest)
{
    private readonly object _gate = new();

    public DumpManifest Manifest => manifest;

    public void Save()
    {
        lock (_gate)
            ManifestStore.Write(stateDirectory, manifest);
    }

    public void AddKeyFile(KeyFileInfo file, string server)
    {
        lock (_gate)
        {
            var entry = new DumpManifestKeyFile { Name = file.Name, Server = server, Lines = file.Lines };
            manifest.KeyFiles.Add(entry);
            manifest.Totals.Listed += file.Lines;
            PersistOrUndo(() =>
            {
                manifest.KeyFiles.Remove(entry);
                manifest.Totals.Listed -= file.Lines;
            });
        }
    }

    /// <summary>
    /// Writes the manifest; if that fails (a full disk), undoes the change just made in memory, so what
    /// the export reports is exactly what the manifest on disk records.
    /// </summary>
    private void PersistOrUndo(Action undo)
    {
        try
        {
            ManifestStore.Write(stateDirectory, manifest);
        }
        catch
        {
            undo();
            throw;
        }
    }

    /// <summary>Given keys the server does not hold: part of what was listed, and missing.</summary>
    public void AddMissingFromListing(long keys)
    {
        lock (_gate)
        {
            manifest.Totals.Listed += keys;
            manifest.Totals.Missing += keys;
            PersistOrUndo(() =>
            {
                manifest.Totals.Listed -= keys;
                manifest.Totals.Missing -= keys;
            });
        }
    }

    public void ListingDone()
    {
        lock (_gate)
        {
            manifest.ListingComplete = true;
            PersistOrUndo(() => manifest.ListingComplete = false);
        }
    }

    /// <summary>Records a fully fetched key file with its data files and counts.</summary>
    public void KeyFileFetched(string keyFile, IReadOnlyList<DataFileInfo> files, KeyFileCounts counts)
    {
        lock (_gate)
        {
            var added = files.Select(file => new DumpManifestFile
            {
                Name = file.Name,
                KeyFile = keyFile,
                Records = file.Records,
                Bytes = file.Bytes,
                Sha256 = file.Sha256 ?? string.Empty,
                Crc32c = file.ChecksumAlgorithm == ChecksumAlgorithm.Crc32C ? file.Checksum : null,
            }).ToList();
            manifest.Files.AddRange(added);
            var entry = manifest.KeyFiles.First(k => k.Name == keyFile);
            entry.Fetched = true;
            Apply(manifest.Totals, counts, +1);
            PersistOrUndo(() =>
            {
                // The data files stay on disk unlisted; a resume deletes them and fetches the key file again.
                foreach (var file in added)
                    manifest.Files.Remove(file);
                entry.Fetched = false;
                Apply(manifest.Totals, counts, -1);
            });
        }
    }

    private static void Apply(DumpTotals totals, KeyFileCounts counts, int sign)
    {
        totals.Dumped += sign * counts.Dumped;
        totals.Missing += sign * counts.Missing;
        totals.Filtered += sign * counts.Filtered;
        totals.Skipped += sign * counts.Skipped;
        totals.Bytes += sign * counts.Bytes;
    }

    public void MarkComplete()
    {
        lock (_gate)
        {
            manifest.Complete = true;
            manifest.CompletedUtc = DateTimeOffset.UtcNow;
            PersistOrUndo(() =>
            {
                manifest.Complete = false;
                manifest.CompletedUtc = null;
            });
        }
    }

    public DumpTotals Totals()
    {
        lock (_gate)
        {
            var t = manifest.Totals;
            return new DumpTotals { Listed = t.Listed, Dumped = t.Dumped, Missing = t.Missing, Filtered = t.Filtered, Skipped = t.Skipped, Bytes = t.Bytes };
        }
    }
}

/// <summary>What fetching one key file produced.</summary>
internal sealed class KeyFileCounts
{
    public long Dumped;
    public long Missing;
    public long Filtered;
    public long Skipped;
    public long Bytes;
}
