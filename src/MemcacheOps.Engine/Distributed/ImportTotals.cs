using MemcacheOps.Engine.Import;

namespace MemcacheOps.Engine.Distributed;

/// <summary>Sums the results of chunk imports into one result; thread-safe.</summary>
internal sealed class ImportTotals
{
    private const int MaxNotes = 50;

    private readonly object _gate = new();
    private readonly List<string> _failedFiles = [];
    private readonly List<string> _notes = [];
    private long _read, _stored, _alreadyPresent, _absent, _expired, _tooLarge, _failed, _bytes;
    private int _files;

    public void Add(ImportResult result)
    {
        lock (_gate)
        {
            _read += result.Read;
            _stored += result.Stored;
            _alreadyPresent += result.AlreadyPresent;
            _absent += result.Absent;
            _expired += result.Expired;
            _tooLarge += result.TooLarge;
            _failed += result.Failed;
            _bytes += result.Bytes;
            _files += result.Files;
            foreach (var note in result.Notes)
                AddNoteLocked(note);
        }
    }

    public void AddFailedFile(string name)
    {
        lock (_gate)
            _failedFiles.Add(name);
    }

    public void AddNote(string note)
    {
        lock (_gate)
            AddNoteLocked(note);
    }

    public ImportResult ToResult(ImportOptions options, string path, TimeSpan elapsed)
    {
        lock (_gate)
        {
            var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
            return new ImportResult
            {
                Server = string.Join(",", options.Servers),
                Path = path,
                Mode = options.Mode,
                Read = _read,
                Stored = _stored,
                AlreadyPresent = _alreadyPresent,
                Absent = _absent,
                Expired = _expired,
                TooLarge = _tooLarge,
                Failed = _failed,
                Bytes = _bytes,
                Files = _files,
                FailedFiles = _failedFiles.ToList(),
                Duration = elapsed,
                ItemsPerSecond = Math.Round(_stored / seconds, 1),
                MegabytesPerSecond = Math.Round(_bytes / seconds / (1024 * 1024), 2),
                Notes = _notes.ToList(),
            };
        }
    }

    /// <summary>Chunks of one dump repeat the same notes; each is kept once, and a long run keeps the first few dozen.</summary>
    private void AddNoteLocked(string note)
    {
        if (_notes.Count < MaxNotes && !_notes.Contains(note, StringComparer.Ordinal))
            _notes.Add(note);
    }
}
