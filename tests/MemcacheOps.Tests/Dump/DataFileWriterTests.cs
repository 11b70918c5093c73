using System.Security.Cryptography;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Tests.Dump;

public class DataFileWriterTests
{
    [Fact]
    public void Completed_file_holds_the_records_and_matches_its_info()
    {
        using var temp = new TempDirectory();
        var records = DumpTestData.RandomRecords(500, 5000);

        var info = DumpTestData.WriteFile(temp.Path, "part.v0", records);

        var path = temp.Combine("part.v0");
        Assert.Equal("part.v0", info.Name);
        Assert.Equal(path, info.FullPath);
        Assert.Equal(500, info.Records);
        Assert.Equal(new FileInfo(path).Length, info.Bytes);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant(), info.Sha256);
        Assert.Null(info.Md5);
        Assert.False(File.Exists(path + DataFileWriter.StagingSuffix));
        DumpTestData.AssertSame(records, DumpTestData.ReadAll(path));
    }

    [Fact]
    public void Values_larger_than_the_buffer_are_written_through()
    {
        using var temp = new TempDirectory();
        var big = new byte[3 * 1024 * 1024 + 17];
        new Random(3).NextBytes(big);
        List<TestRecord> records =
        [
            TestRecord.Of("small-1", -1, 1, "x"),
            new("big"u8.ToArray(), 123, 2, big),
            TestRecord.Of("small-2", -1, 3, "y"),
        ];

        using (var writer = DataFileWriter.Create(temp.Path, "big.v0", bufferSize: 128 * 1024))
        {
            foreach (var r in records)
                writer.Append(r.Key, r.Expiry, r.Flags, r.Value);
            Assert.Equal(DumpTestData.Encode(records).Length, writer.Bytes);
            var info = writer.Complete();
            Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(info.FullPath))).ToLowerInvariant(), info.Sha256);
        }

        Assert.Equal(DumpTestData.Encode(records), File.ReadAllBytes(temp.Combine("big.v0")));
        DumpTestData.AssertSame(records, DumpTestData.ReadAll(temp.Combine("big.v0"), new DataFileReadOptions { BufferSize = 4096 }));
    }

    [Fact]
    public void Staging_file_is_all_there_is_until_complete()
    {
        using var temp = new TempDirectory();
        using var writer = DataFileWriter.Create(temp.Path, "f.v0");
        writer.Append("k"u8, -1, 0, "v"u8);

        Assert.Equal(temp.Combine("f.v0.partial"), writer.StagingPath);
        Assert.True(File.Exists(writer.StagingPath));
        Assert.False(File.Exists(temp.Combine("f.v0")));
        writer.Complete();
        Assert.True(File.Exists(temp.Combine("f.v0")));
        Assert.False(File.Exists(writer.StagingPath));
    }

    [Fact]
    public void Abort_leaves_no_file()
    {
        using var temp = new TempDirectory();
        var writer = DataFileWriter.Create(temp.Path, "f.v0");
        for (var i = 0; i < 1000; i++)
            writer.Append("key"u8, -1, 0, new byte[2000]);

        writer.Abort();
        writer.Abort();

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
        Assert.Throws<InvalidOperationException>(() => writer.Append("k"u8, 0, 0, "v"u8));
        Assert.Throws<InvalidOperationException>(() => writer.Complete());
    }

    [Fact]
    public void Dispose_without_complete_leaves_no_file()
    {
        using var temp = new TempDirectory();
        using (var writer = DataFileWriter.Create(temp.Path, "f.v0"))
            writer.Append("key"u8, -1, 0, "value"u8);

        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Complete_never_overwrites_a_finished_file()
    {
        using var temp = new TempDirectory();
        var first = DumpTestData.WriteFile(temp.Path, "f.v0", [TestRecord.Of("a", -1, 0, "first")]);

        using var writer = DataFileWriter.Create(temp.Path, "f.v0");
        writer.Append("b"u8, -1, 0, "second"u8);
        var ex = DumpTestData.AssertDumpError("DumpWriteFailed", () => writer.Complete());

        Assert.Equal(MemcacheErrorKind.WriteFailed, ex.Kind);
        Assert.Equal(first.Sha256, DumpChecksum.Compute(first.FullPath, ChecksumAlgorithm.Sha256));
        Assert.False(File.Exists(writer.StagingPath));
    }

    [Fact]
    public void Files_are_0600_and_created_folders_0700()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var temp = new TempDirectory();
        var directory = temp.Combine("nested", "data");

        using var writer = DataFileWriter.Create(directory, "f.v0");
        writer.Append("k"u8, -1, 0, "v"u8);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(writer.StagingPath));
        var info = writer.Complete();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(info.FullPath));
        Assert.Equal(PrivateFiles.DirectoryMode, File.GetUnixFileMode(directory));
        Assert.Equal(PrivateFiles.DirectoryMode, File.GetUnixFileMode(temp.Combine("nested")));
    }

    [Fact]
    public void Leftover_staging_file_with_wide_mode_is_replaced_not_reused()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var temp = new TempDirectory();
        var staging = temp.Combine("f.v0.partial");
        File.WriteAllText(staging, "junk from a crashed run");
        File.SetUnixFileMode(staging, (UnixFileMode)0b110_110_110);

        using var writer = DataFileWriter.Create(temp.Path, "f.v0");
        writer.Append("k"u8, -1, 0, "v"u8);
        var info = writer.Complete();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(info.FullPath));
        DumpTestData.AssertSame([TestRecord.Of("k", -1, 0, "v")], DumpTestData.ReadAll(info.FullPath));
    }

    [Fact]
    public void Disk_full_surfaces_as_DumpWriteFailed_and_spares_completed_files()
    {
        if (!File.Exists("/dev/full"))
            throw new InvalidOperationException("This test needs /dev/full (Linux) to simulate a full disk.");
        using var temp = new TempDirectory();
        var done = DumpTestData.WriteFile(temp.Path, "done.v0", DumpTestData.RandomRecords(50, 1000));

        using var writer = DataFileWriter.CreateWithStagingOpener(temp.Path, "full.v0",
            _ => new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0));
        var ex = Assert.Throws<MemcacheException>(() =>
        {
            // Bounded: the first buffer flush (1 MiB) must fail.
            for (var i = 0; i < 100; i++)
                writer.Append("key"u8, -1, 0, new byte[64 * 1024]);
        });

        Assert.Equal("DumpWriteFailed", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.WriteFailed, ex.Kind);
        Assert.Contains(writer.StagingPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Free space", ex.Message, StringComparison.Ordinal);
        Assert.Equal(writer.StagingPath, ex.Target);
        Assert.IsAssignableFrom<IOException>(ex.InnerException);
        Assert.Throws<InvalidOperationException>(() => writer.Complete());
        Assert.Equal(done.Sha256, DumpChecksum.Compute(done.FullPath, ChecksumAlgorithm.Sha256));
        Assert.Equal(["done.v0"], Directory.EnumerateFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Disk_full_at_complete_surfaces_as_DumpWriteFailed()
    {
        using var temp = new TempDirectory();
        using var writer = DataFileWriter.CreateWithStagingOpener(temp.Path, "full.v0",
            _ => new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0));
        writer.Append("key"u8, -1, 0, "small"u8);

        DumpTestData.AssertDumpError("DumpWriteFailed", () => writer.Complete());
        Assert.False(File.Exists(temp.Combine("full.v0")));
    }

    [Fact]
    public void File_names_must_be_plain()
    {
        using var temp = new TempDirectory();
        Assert.Throws<ArgumentException>(() => DataFileWriter.Create(temp.Path, "../escape.v0"));
        Assert.Throws<ArgumentException>(() => DataFileWriter.Create(temp.Path, ".."));
    }
}
