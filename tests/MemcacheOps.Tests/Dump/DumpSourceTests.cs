using MemcacheOps.Engine;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Tests.Dump;

public class DumpSourceTests
{
    private const string Tag = "10.0.0.1_11211";

    /// <summary>Writes a native dump the way an export does: data files first, the manifest last.</summary>
    private static (DumpManifest Manifest, List<List<TestRecord>> Records) WriteNative(string dir, bool complete = true)
    {
        var dataDir = NativeLayout.DataDirectory(dir);
        var manifest = new DumpManifest
        {
            CreatedUtc = DateTimeOffset.UtcNow,
            DumpHost = "test-host",
            ListingComplete = complete,
            Sources = [new DumpManifestSource { Server = "10.0.0.1:11211", Version = "1.6.18", ServerTimeAtStart = 100, HostTimeAtStart = 101 }],
        };
        var records = new List<List<TestRecord>>();
        for (var k = 0; k < 2; k++)
        {
            var keyFile = NativeLayout.KeyFileName(Tag, k);
            manifest.KeyFiles.Add(new DumpManifestKeyFile { Name = keyFile, Server = "10.0.0.1:11211", Lines = 30, Fetched = complete || k == 0 });
            var chunk = DumpTestData.RandomRecords(30, 2000, seed: 20 + k);
            var info = DumpTestData.WriteFile(dataDir, NativeLayout.DataFileName(Tag, k, 0), chunk);
            manifest.Files.Add(new DumpManifestFile { Name = info.Name, KeyFile = keyFile, Records = info.Records, Bytes = info.Bytes, Sha256 = info.Sha256! });
            manifest.Totals.Dumped += info.Records;
            manifest.Totals.Bytes += info.Bytes;
            records.Add(chunk);
        }
        manifest.Totals.Listed = 60;
        manifest.Complete = complete;
        manifest.CompletedUtc = complete ? DateTimeOffset.UtcNow : null;
        ManifestStore.Write(dir, manifest);
        return (manifest, records);
    }

    [Fact]
    public void Native_dump_is_detected_with_checksums_and_counts()
    {
        using var temp = new TempDirectory();
        var (manifest, records) = WriteNative(temp.Path);

        var source = DumpSource.Open(temp.Path);

        Assert.Equal(DumpKind.Native, source.Kind);
        Assert.True(source.IsComplete);
        Assert.Null(source.IncompleteReason);
        Assert.False(source.FlagsMayBeTruncated);
        Assert.Same(source.Manifest!.Totals, source.Totals);
        Assert.Equal(60, source.Totals!.Dumped);
        Assert.Empty(source.IgnoredFiles);
        Assert.Equal(2, source.Files.Count);
        for (var i = 0; i < 2; i++)
        {
            var file = source.Files[i];
            Assert.Equal(manifest.Files[i].Name, file.Name);
            Assert.Equal(Path.Combine(temp.Path, "data", file.Name), file.FullPath);
            Assert.Equal(ChecksumAlgorithm.Sha256, file.ChecksumAlgorithm);
            Assert.Equal(manifest.Files[i].Sha256, file.ExpectedChecksum);
            Assert.Equal(30, file.Records);
            Assert.Equal(file.SizeOnDisk, file.Bytes);
            Assert.Equal(manifest.KeyFiles[i].Name, file.KeyFile);
            Assert.True(file.VerifyChecksum());
            using var reader = file.OpenReader();
            DumpTestData.AssertSame(records[i], DumpTestData.ReadAll(reader));
        }
    }

    [Fact]
    public void Native_dump_opens_from_its_manifest_path_too()
    {
        using var temp = new TempDirectory();
        WriteNative(temp.Path);

        Assert.Equal(DumpKind.Native, DumpSource.Open(temp.Combine("manifest.json")).Kind);
        Assert.Equal(DumpKind.Native, DumpSource.Open(temp.Path + Path.DirectorySeparatorChar).Kind);
    }

    [Fact]
    public void Incomplete_native_dump_is_flagged_and_leftovers_are_ignored_and_reported()
    {
        using var temp = new TempDirectory();
        WriteNative(temp.Path, complete: false);
        var leftover = temp.Combine("data", NativeLayout.DataFileName(Tag, 1, 1) + ".partial");
        var unlisted = temp.Combine("data", NativeLayout.DataFileName(Tag, 1, 2));
        File.WriteAllBytes(leftover, [0, 1]);
        File.WriteAllBytes(unlisted, [0, 1]);

        var source = DumpSource.Open(temp.Path);

        Assert.False(source.IsComplete);
        Assert.Contains("not complete", source.IncompleteReason, StringComparison.Ordinal);
        Assert.Contains("1 of 2 key files fetched", source.IncompleteReason, StringComparison.Ordinal);
        Assert.Equal(2, source.Files.Count);
        Assert.Equal(new[] { leftover, unlisted }.Order(StringComparer.Ordinal), source.IgnoredFiles);
    }

    [Fact]
    public void Native_file_listed_but_missing_is_an_error()
    {
        using var temp = new TempDirectory();
        var (manifest, _) = WriteNative(temp.Path);
        File.Delete(temp.Combine("data", manifest.Files[1].Name));

        var ex = DumpTestData.AssertDumpError("DumpFileMissing", () => DumpSource.Open(temp.Path));
        Assert.Contains(manifest.Files[1].Name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_damage_is_caught_before_import()
    {
        using var temp = new TempDirectory();
        var (manifest, _) = WriteNative(temp.Path);
        var path = temp.Combine("data", manifest.Files[0].Name);
        var bytes = File.ReadAllBytes(path);
        bytes[10] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        File.WriteAllBytes(temp.Combine("data", manifest.Files[1].Name), bytes[..^1]);

        var source = DumpSource.Open(temp.Path);

        DumpTestData.AssertDumpError("DumpChecksumMismatch", () => source.Files[0].VerifyChecksum());
        DumpTestData.AssertDumpError("DumpFileCorrupt", () => source.Files[1].VerifyChecksum());
    }

    [Fact]
    public void Cachemover_dump_is_detected_from_output_dir_and_completed_folder()
    {
        using var temp = new TempDirectory();
        var written = CachemoverLayoutTests.WriteFixture(temp.Path);

        foreach (var path in new[] { temp.Path, temp.Combine("datafiles_completed") })
        {
            var source = DumpSource.Open(path);

            Assert.Equal(DumpKind.Cachemover, source.Kind);
            Assert.Equal(temp.Combine("datafiles_completed"), source.Path);
            Assert.True(source.IsComplete);
            Assert.True(source.FlagsMayBeTruncated);
            Assert.Null(source.Manifest);
            Assert.Equal(60, source.Totals!.Dumped);
            Assert.Equal(2, source.Totals.Missing);
            Assert.Equal(written.Sum(w => w.Info.Bytes), source.Totals.Bytes);
            Assert.Equal(3, source.Files.Count);
            foreach (var file in source.Files)
            {
                Assert.Equal(ChecksumAlgorithm.Md5, file.ChecksumAlgorithm);
                Assert.Null(file.Records);
                Assert.True(file.VerifyChecksum());
                using var reader = file.OpenReader();
                DumpTestData.AssertSame(written.Single(w => w.Info.Name == file.Name).Records, DumpTestData.ReadAll(reader));
            }
        }
    }

    [Fact]
    public void Cachemover_dump_without_DONE_is_incomplete_but_importable()
    {
        using var temp = new TempDirectory();
        CachemoverLayoutTests.WriteFixture(temp.Path, withDone: false);

        var source = DumpSource.Open(temp.Path);

        Assert.Equal(DumpKind.Cachemover, source.Kind);
        Assert.False(source.IsComplete);
        Assert.Contains("DONE is missing", source.IncompleteReason, StringComparison.Ordinal);
        Assert.Null(source.Totals);
        Assert.Equal(3, source.Files.Count);
    }

    [Fact]
    public void Single_file_is_detected_without_a_checksum()
    {
        using var temp = new TempDirectory();
        var records = DumpTestData.EdgeRecords();
        var info = DumpTestData.WriteFile(temp.Path, "lone.bin", records);

        var source = DumpSource.Open(info.FullPath);

        Assert.Equal(DumpKind.SingleFile, source.Kind);
        Assert.True(source.IsComplete);
        var file = Assert.Single(source.Files);
        Assert.Equal(ChecksumAlgorithm.None, file.ChecksumAlgorithm);
        Assert.Null(file.ExpectedChecksum);
        Assert.False(file.VerifyChecksum());
        using var reader = file.OpenReader();
        DumpTestData.AssertSame(records, DumpTestData.ReadAll(reader));
    }

    [Fact]
    public void Single_cachemover_file_carries_its_md5_and_staging_files_are_flagged()
    {
        using var temp = new TempDirectory();
        var written = CachemoverLayoutTests.WriteFixture(temp.Path);
        var staging = temp.Combine("lone.v0.partial");
        File.Copy(written[0].Info.FullPath, staging);

        var named = DumpSource.Open(written[0].Info.FullPath);
        var partial = DumpSource.Open(staging);

        Assert.Equal(ChecksumAlgorithm.Md5, named.Files[0].ChecksumAlgorithm);
        Assert.True(named.Files[0].VerifyChecksum());
        Assert.False(partial.IsComplete);
        Assert.Contains("staging file", partial.IncompleteReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_and_absent_paths_are_refused_clearly()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("data"));

        var notDump = DumpTestData.AssertDumpError("DumpNotRecognized", () => DumpSource.Open(temp.Path));
        Assert.Contains("no manifest.json", notDump.Message, StringComparison.Ordinal);
        Assert.Equal(MemcacheErrorKind.InvalidArgument, notDump.Kind);
        DumpTestData.AssertDumpError("DumpNotFound", () => DumpSource.Open(temp.Combine("absent")));
    }
}
