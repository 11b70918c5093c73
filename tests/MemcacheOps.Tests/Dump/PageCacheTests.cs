using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Tests.Dump;

/// <summary>
/// A data file occupies only a small window of the page cache while it is written, none once it is
/// complete, and only a small window again while it is read. Residency is read with mincore, so the files live on the repository's disk: tmpfs keeps
/// every page in memory whatever the writer asks.
/// </summary>
public class PageCacheTests
{
    private const int ValueSize = 64 * 1024;
    private const long MiB = 1024 * 1024;

    [Fact]
    public void A_large_data_file_keeps_only_a_window_of_its_pages_cached_and_reads_back_whole()
    {
        using var temp = new TempDirectory(AppContext.BaseDirectory);
        var value = new byte[ValueSize];
        const int records = (int)(96 * MiB / ValueSize);
        using var writer = DataFileWriter.Create(temp.Path, "big.v0", checksum: ChecksumAlgorithm.Crc32C);
        for (var i = 0; i < records; i++)
        {
            value.AsSpan().Fill((byte)i);
            writer.Append(Encoding.ASCII.GetBytes("k" + i), -1, (uint)i, value);
        }

        var whileOpen = ResidentBytes(writer.StagingPath);
        var info = writer.Complete();
        var afterComplete = ResidentBytes(info.FullPath);

        // The window (the lag plus the interval being written plus the writer's two buffers), and slack
        // for the write-behind thread still holding a buffer.
        var window = WritebackWindow.DropLag + 2 * WritebackWindow.Interval + 4 * MiB;
        Assert.True(whileOpen <= window, $"{whileOpen / MiB} MiB of the 96 MiB staging file were cached while it was written; expected at most {window / MiB} MiB");
        Assert.True(afterComplete <= 1 * MiB, $"{afterComplete / MiB} MiB of the completed file stayed cached");
        var read = 0;
        using (var reader = new DataFileReader(info.FullPath))
        {
            while (reader.TryReadNext(out var record))
            {
                Assert.Equal("k" + read, Encoding.ASCII.GetString(record.Key));
                Assert.Equal((uint)read, record.Flags);
                Assert.Equal(ValueSize, record.Value.Length);
                Assert.True(record.Value.IndexOfAnyExcept((byte)read) < 0, $"record {read} has a wrong byte");
                read++;
            }
        }
        Assert.Equal(records, read);
    }

    [Fact]
    public void Reading_a_data_file_drops_the_pages_behind_the_reader()
    {
        using var temp = new TempDirectory(AppContext.BaseDirectory);
        var value = new byte[ValueSize];
        const int records = (int)(48 * MiB / ValueSize);
        string path;
        using (var writer = DataFileWriter.Create(temp.Path, "read.v0", checksum: ChecksumAlgorithm.Crc32C))
        {
            for (var i = 0; i < records; i++)
                writer.Append(Encoding.ASCII.GetBytes("k" + i), -1, 0, value);
            path = writer.Complete().FullPath;
        }
        _ = File.ReadAllBytes(path); // as the checksum pass leaves it: all cached
        Assert.True(ResidentBytes(path) >= 40 * MiB, "reading the file should have cached it");

        var read = 0;
        using (var reader = new DataFileReader(path))
        {
            while (reader.TryReadNext(out _))
                read++;
        }

        Assert.Equal(records, read);
        var left = ResidentBytes(path);
        Assert.True(left <= 12 * MiB, $"{left / MiB} MiB of the 48 MiB file stayed cached after reading it");
    }

    [Fact]
    public void The_residency_measure_sees_a_freshly_written_file_as_cached()
    {
        // Without this the test above could pass because mincore saw nothing at all.
        using var temp = new TempDirectory(AppContext.BaseDirectory);
        var path = temp.Combine("plain");
        File.WriteAllBytes(path, new byte[(int)(16 * MiB)]);

        Assert.True(ResidentBytes(path) >= 15 * MiB);
    }

    private static long ResidentBytes(string path)
    {
        var length = new FileInfo(path).Length;
        if (length == 0)
            return 0;
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        var pageSize = Environment.SystemPageSize;
        var pages = new byte[(length + pageSize - 1) / pageSize];
        var address = view.SafeMemoryMappedViewHandle.DangerousGetHandle() + (nint)view.PointerOffset;
        if (mincore(address, (nuint)length, pages) != 0)
            throw new IOException($"mincore failed on '{path}' (errno {Marshal.GetLastPInvokeError()}).");
        return pages.Count(p => (p & 1) != 0) * (long)pageSize;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mincore(nint address, nuint length, byte[] vector);
}
