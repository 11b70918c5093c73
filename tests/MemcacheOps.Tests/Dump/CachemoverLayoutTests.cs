using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Tests.Dump;

public class CachemoverLayoutTests
{
    internal const string HostIp = "10.1.2.3";

    /// <summary>
    /// Writes a dump the way cachemover lays it out: two key files, three data files (key file 0
    /// rotated once), flags cut to 16 bits as cachemover does, METRICS_CHECKPOINT, then DONE.
    /// Returns the records per data file, in write order.
    /// </summary>
    internal static List<(DataFileInfo Info, List<TestRecord> Records)> WriteFixture(string outputDir, bool withDone = true)
    {
        CachemoverLayout.CreateDirectories(outputDir);
        var keyLines = new StringBuilder();
        var written = new List<(DataFileInfo, List<TestRecord>)>();
        var all = DumpTestData.RandomRecords(60, 3000, seed: 5)
            .Select(r => r with { Flags = r.Flags & 0xFFFF })
            .ToList();
        var chunks = new[] { all[..20], all[20..35], all[35..] };
        var keyFileOf = new[] { 0, 0, 1 };
        var sequence = new[] { 0, 1, 0 };
        for (var i = 0; i < chunks.Length; i++)
        {
            using var writer = CachemoverLayout.CreateDataFileWriter(outputDir, HostIp, keyFileOf[i], sequence[i]);
            foreach (var r in chunks[i])
                writer.Append(r.Key, r.Expiry, r.Flags, r.Value);
            written.Add((writer.Complete(), chunks[i]));
        }
        for (var k = 0; k < 2; k++)
        {
            using var keyFile = PrivateFiles.CreateNew(CachemoverLayout.KeyFilePath(outputDir, HostIp, k));
            keyFile.Write(Encoding.ASCII.GetBytes($"key=k{k} exp=-1 la=1 cas=1 fetch=no cls=1 size=70\n"));
        }
        CachemoverLayout.WriteAllKeyFilesDumped(outputDir, 2, 60);
        var totals = new DumpTotals { Listed = 62, Dumped = 60, Missing = 2 };
        CachemoverLayout.WriteMetricsCheckpoint(outputDir, totals, TimeSpan.FromSeconds(3725));
        if (withDone)
            CachemoverLayout.WriteDone(outputDir, totals, TimeSpan.FromSeconds(3725));
        return written;
    }

    [Fact]
    public void Writer_produces_cachemover_names_and_files()
    {
        using var temp = new TempDirectory();
        var written = WriteFixture(temp.Path);

        var completed = temp.Combine("datafiles_completed");
        foreach (var (info, _) in written)
        {
            Assert.Matches(new Regex("^data_10\\.1\\.2\\.3__[01]_[0-9A-F]{32}$"), info.Name);
            Assert.Equal(Path.Combine(completed, info.Name), info.FullPath);
            Assert.Equal(Convert.ToHexString(MD5.HashData(File.ReadAllBytes(info.FullPath))), info.Md5);
            Assert.EndsWith("_" + info.Md5, info.Name, StringComparison.Ordinal);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Combine("datafiles_staging")));
        Assert.True(File.Exists(temp.Combine("keyfile", "key_10.1.2.3_0")));
        Assert.True(File.Exists(temp.Combine("keyfile", "key_10.1.2.3_1")));
        Assert.Equal("2 key files dumped.\nTotal keys: 60\n", File.ReadAllText(temp.Combine("keyfile", "ALL_KEYFILES_DUMPED")));
        Assert.Equal(
            "DONE\nTotal keys from metadump: 62\nTotal keys dumped: 60\nTotal keys skipped: 0\nTotal keys not found: 2\n" +
            "Total keys filtered: 0\nTotal time taken: 1 hours, 2 minutes, 5 seconds.\n",
            File.ReadAllText(Path.Combine(completed, "DONE")));

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(completed, "METRICS_CHECKPOINT")));
        var kv = metrics.RootElement.GetProperty("keyvalue_metrics");
        Assert.Equal(62, kv.GetProperty("total").GetInt64());
        Assert.Equal(60, kv.GetProperty("dumped").GetInt64());
        Assert.Equal(2, kv.GetProperty("not_found").GetInt64());
        Assert.Equal(0, kv.GetProperty("skipped").GetInt64());
        Assert.Equal(0, kv.GetProperty("filtered").GetInt64());
        Assert.Equal("1 hours, 2 minutes, 5 seconds.", metrics.RootElement.GetProperty("time_elapsed").GetString());
        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in Directory.EnumerateFiles(temp.Path, "*", SearchOption.AllDirectories))
                Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(file));
            foreach (var dir in Directory.EnumerateDirectories(temp.Path))
                Assert.Equal(PrivateFiles.DirectoryMode, File.GetUnixFileMode(dir));
        }
    }

    [Fact]
    public void Reader_lists_the_fixture_and_records_read_back_exactly()
    {
        using var temp = new TempDirectory();
        var written = WriteFixture(temp.Path);

        var dump = CachemoverLayout.Read(temp.Path);

        Assert.True(dump.IsComplete);
        Assert.Null(dump.DoneProblem);
        Assert.Equal(temp.Path, dump.OutputDirectory);
        Assert.Equal(62, dump.Done!.Listed);
        Assert.Equal(60, dump.Done.Dumped);
        Assert.Equal(2, dump.Done.NotFound);
        Assert.Equal("1 hours, 2 minutes, 5 seconds.", dump.Done.TimeTaken);
        Assert.Empty(dump.IgnoredFiles);
        Assert.Equal(written.Select(w => w.Info.Name).Order(StringComparer.Ordinal), dump.DataFiles.Select(f => f.Name));
        foreach (var file in dump.DataFiles)
        {
            var (info, records) = written.Single(w => w.Info.Name == file.Name);
            Assert.Equal(info.Md5, file.Md5);
            Assert.Equal(HostIp, file.HostIp);
            Assert.Equal(info.Bytes, file.SizeOnDisk);
            DumpChecksum.Verify(file.FullPath, ChecksumAlgorithm.Md5, file.Md5);
            DumpTestData.AssertSame(records, DumpTestData.ReadAll(file.FullPath));
        }
        Assert.Equal([0, 0, 1], dump.DataFiles.Select(f => f.KeyFileIndex!.Value).Order());
    }

    [Fact]
    public void Reader_accepts_the_completed_folder_itself()
    {
        using var temp = new TempDirectory();
        WriteFixture(temp.Path);

        var dump = CachemoverLayout.Read(temp.Combine("datafiles_completed"));

        Assert.True(dump.IsComplete);
        Assert.Equal(temp.Path, dump.OutputDirectory);
        Assert.Equal(3, dump.DataFiles.Count);
    }

    [Fact]
    public void Without_DONE_the_dump_is_incomplete_but_its_files_are_listed()
    {
        using var temp = new TempDirectory();
        WriteFixture(temp.Path, withDone: false);
        File.WriteAllBytes(temp.Combine("datafiles_staging", "data_10.1.2.3__1_1"), [0, 5, 1]);

        var dump = CachemoverLayout.Read(temp.Path);

        Assert.False(dump.IsComplete);
        Assert.Null(dump.Done);
        Assert.Contains("DONE is missing", dump.DoneProblem, StringComparison.Ordinal);
        Assert.Equal(3, dump.DataFiles.Count);
        Assert.Equal([temp.Combine("datafiles_staging", "data_10.1.2.3__1_1")], dump.IgnoredFiles);
    }

    [Fact]
    public void Unknown_files_in_the_completed_folder_are_ignored_and_reported()
    {
        using var temp = new TempDirectory();
        WriteFixture(temp.Path);
        File.WriteAllText(temp.Combine("datafiles_completed", "notes.txt"), "x");

        var dump = CachemoverLayout.Read(temp.Path);

        Assert.Equal(3, dump.DataFiles.Count);
        Assert.Equal([temp.Combine("datafiles_completed", "notes.txt")], dump.IgnoredFiles);
    }

    [Fact]
    public void Done_from_older_cachemover_builds_parses_with_missing_counts()
    {
        var done = CachemoverDone.Parse("DONE\nTotal keys dumped: 10\nTotal keys skipped: 1\nTotal keys not found: 2\nTotal time taken: 0 hours, 0 minutes, 1 seconds.\n");

        Assert.NotNull(done);
        Assert.Null(done.Listed);
        Assert.Null(done.Filtered);
        Assert.Equal(10, done.Dumped);
        Assert.Equal(1, done.Skipped);
        Assert.Equal(2, done.NotFound);
        Assert.Null(CachemoverDone.Parse("not a done file"));
    }

    [Theory]
    [InlineData("data_10.0.0.1__3_0123456789ABCDEF0123456789ABCDEF", true, "10.0.0.1", 3)]
    [InlineData("data_10.0.0.1__12_0123456789abcdef0123456789abcdef", true, "10.0.0.1", 12)]
    [InlineData("data_odd_0123456789ABCDEF0123456789ABCDEF", true, null, null)]
    [InlineData("data_10.0.0.1__3_0", false, null, null)]
    [InlineData("data_10.0.0.1__3_0123456789ABCDEF0123456789ABCDEG", false, null, null)]
    [InlineData("DONE", false, null, null)]
    public void Data_file_names_parse(string name, bool ok, string? ip, int? index)
    {
        Assert.Equal(ok, CachemoverLayout.TryParseDataFileName(name, out var md5, out var hostIp, out var keyFileIndex));
        if (ok)
            Assert.Equal(name[^32..].ToUpperInvariant(), md5);
        Assert.Equal(ip, hostIp);
        Assert.Equal(index, keyFileIndex);
    }

    [Fact]
    public void A_folder_that_is_not_a_cachemover_dump_is_refused()
    {
        using var temp = new TempDirectory();
        DumpTestData.AssertDumpError("DumpNotRecognized", () => CachemoverLayout.Read(temp.Path));
        DumpTestData.AssertDumpError("DumpNotFound", () => CachemoverLayout.Read(temp.Combine("absent")));
    }
}
