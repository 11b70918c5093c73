using System.Text;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Engine.Distributed;

/// <summary>
/// The data files of a dump already uploaded and announced, kept beside its manifest (<c>s3-uploads.log</c>), so a
/// resumed export ships only what is left and a file deleted after its upload (-RemoveLocal) is not looked for.
/// </summary>
/// <remarks>
/// Format: a first line <c>memcacheops-uploads 1</c>, a second line with the dump id (the manifest's creation
/// time), a third with the destination folder; then one line per file, <c>name TAB sha256</c>. A journal whose
/// dump id or destination differ belongs to another dump (a -Force export, another bucket) and is started afresh.
/// A line lost in a crash only means the file is uploaded and announced again, which importers tolerate (mode Add).
/// </remarks>
internal sealed class PublishJournal : IDisposable
{
    public const string FileName = "s3-uploads.log";
    private const string Header = "memcacheops-uploads 1";

    private readonly object _gate = new();
    private readonly HashSet<string> _published;
    private readonly FileStream _stream;

    private PublishJournal(FileStream stream, HashSet<string> published)
    {
        _stream = stream;
        _published = published;
    }

    public int Count
    {
        get
        {
            lock (_gate)
                return _published.Count;
        }
    }

    /// <summary>Opens the journal in <paramref name="stateDirectory"/>, keeping its entries when they belong to this dump and destination.</summary>
    public static PublishJournal Open(string stateDirectory, string dumpId, string destination)
    {
        var path = Path.Combine(stateDirectory, FileName);
        try
        {
            var published = new HashSet<string>(StringComparer.Ordinal);
            var keep = false;
            if (File.Exists(path))
            {
                var lines = File.ReadAllLines(path, Encoding.UTF8);
                keep = lines.Length >= 3 && lines[0] == Header && lines[1] == dumpId && lines[2] == destination;
                if (keep)
                {
                    foreach (var line in lines.Skip(3))
                    {
                        if (line.Length > 0)
                            published.Add(line);
                    }
                }
            }
            FileStream stream;
            if (keep)
            {
                stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            }
            else
            {
                stream = PrivateFiles.CreateNew(path);
                stream.Write(Encoding.UTF8.GetBytes($"{Header}\n{dumpId}\n{destination}\n"));
                stream.Flush();
            }
            return new PublishJournal(stream, published);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemcacheException(MemcacheErrorKind.WriteFailed, "DumpWriteFailed",
                $"Could not open the upload journal '{path}': {ex.Message} Check the dump folder's permissions and free space.", path, ex);
        }
    }

    public bool Contains(DataFileInfo file)
    {
        lock (_gate)
            return _published.Contains(Entry(file));
    }

    /// <summary>Records a file as uploaded and announced; the line reaches the operating system before this returns.</summary>
    public void Add(DataFileInfo file)
    {
        var entry = Entry(file);
        lock (_gate)
        {
            if (!_published.Add(entry))
                return;
            try
            {
                _stream.Write(Encoding.UTF8.GetBytes(entry + "\n"));
                _stream.Flush();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new MemcacheException(MemcacheErrorKind.WriteFailed, "DumpWriteFailed",
                    $"Could not record the upload of '{file.Name}' in '{_stream.Name}': {ex.Message} Free space on that disk; a resumed export uploads the file again.", _stream.Name, ex);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
            _stream.Dispose();
    }

    private static string Entry(DataFileInfo file) => $"{file.Name}\t{file.Checksum}";
}
