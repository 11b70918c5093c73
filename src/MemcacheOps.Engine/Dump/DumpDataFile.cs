namespace MemcacheOps.Engine.Dump;

/// <summary>One data file of a dump, with what the dump recorded about it (when it recorded anything).</summary>
public sealed class DumpDataFile
{
    internal DumpDataFile(string fullPath, long sizeOnDisk, long? records, long? bytes, ChecksumAlgorithm checksumAlgorithm,
        string? expectedChecksum, string? keyFile)
    {
        FullPath = fullPath;
        Name = Path.GetFileName(fullPath);
        SizeOnDisk = sizeOnDisk;
        Records = records;
        Bytes = bytes;
        ChecksumAlgorithm = checksumAlgorithm;
        ExpectedChecksum = expectedChecksum;
        KeyFile = keyFile;
    }

    public string FullPath { get; }

    public string Name { get; }

    /// <summary>Length of the file when the dump was opened.</summary>
    public long SizeOnDisk { get; }

    /// <summary>Record count the dump recorded (native manifests); null when unknown.</summary>
    public long? Records { get; }

    /// <summary>File length the dump recorded (native manifests); null when unknown.</summary>
    public long? Bytes { get; }

    /// <summary>How <see cref="ExpectedChecksum"/> was computed; None when the dump records no checksum.</summary>
    public ChecksumAlgorithm ChecksumAlgorithm { get; }

    public string? ExpectedChecksum { get; }

    /// <summary>The key file it was fetched from (native dumps that record it).</summary>
    public string? KeyFile { get; }

    /// <summary>
    /// Checks the file against what the dump recorded, before importing it: the length (cheap) then
    /// the checksum. Throws DumpFileCorrupt or DumpChecksumMismatch; returns false when the dump
    /// recorded no checksum, so nothing could be verified.
    /// </summary>
    public bool VerifyChecksum()
    {
        if (Bytes is { } expected)
        {
            long actual;
            try
            {
                actual = new FileInfo(FullPath).Length;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw DumpErrors.ReadFailed(FullPath, ex);
            }
            if (actual != expected)
                throw DumpErrors.Corrupt(FullPath, Math.Min(actual, expected), $"the file is {actual} bytes long but the dump records {expected}");
        }
        if (ChecksumAlgorithm == ChecksumAlgorithm.None || ExpectedChecksum is null)
            return false;
        DumpChecksum.Verify(FullPath, ChecksumAlgorithm, ExpectedChecksum);
        return true;
    }

    /// <summary>Opens a reader that also holds the file to the record count and length the dump recorded.</summary>
    public DataFileReader OpenReader(int maxValueLength = DataFileReadOptions.DefaultMaxValueLength) =>
        new(FullPath, new DataFileReadOptions { ExpectedRecords = Records, ExpectedBytes = Bytes, MaxValueLength = maxValueLength });
}
