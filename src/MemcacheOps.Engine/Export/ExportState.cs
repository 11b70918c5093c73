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
            manifest.KeyFiles.Add(new DumpManifestKeyFile { Name = file.Name, Server = server, Lines = file.Lines });
            manifest.Totals.Listed += file.Lines;
            ManifestStore.Write(stateDirectory, manifest);
        }
    }

    public void ListingDone()
    {
        lock (_gate)
        {
            manifest.ListingComplete = true;
            ManifestStore.Write(stateDirectory, manifest);
        }
    }

    /// <summary>Records a fully fetched key file with its data files and counts.</summary>
    public void KeyFileFetched(string keyFile, IReadOnlyList<DataFileInfo> files, KeyFileCounts counts)
    {
        lock (_gate)
        {
            foreach (var file in files)
                manifest.Files.Add(new DumpManifestFile
                {
                    Name = file.Name,
                    KeyFile = keyFile,
                    Records = file.Records,
                    Bytes = file.Bytes,
                    Sha256 = file.Sha256 ?? string.Empty,
                    Crc32c = file.ChecksumAlgorithm == ChecksumAlgorithm.Crc32C ? file.Checksum : null,
                });
            var entry = manifest.KeyFiles.First(k => k.Name == keyFile);
            entry.Fetched = true;
            var totals = manifest.Totals;
            totals.Dumped += counts.Dumped;
            totals.Missing += counts.Missing;
            totals.Filtered += counts.Filtered;
            totals.Skipped += counts.Skipped;
            totals.Bytes += counts.Bytes;
            ManifestStore.Write(stateDirectory, manifest);
        }
    }

    public void MarkComplete()
    {
        lock (_gate)
        {
            manifest.Complete = true;
            manifest.CompletedUtc = DateTimeOffset.UtcNow;
            ManifestStore.Write(stateDirectory, manifest);
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
