using System.Text.Json;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Tests.Dump;

public class ManifestStoreTests
{
    internal static DumpManifest Sample(bool complete = true) => new()
    {
        CreatedUtc = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero),
        CompletedUtc = complete ? new DateTimeOffset(2024, 5, 1, 12, 5, 0, TimeSpan.Zero) : null,
        Complete = complete,
        ListingComplete = true,
        Sources =
        [
            new DumpManifestSource { Server = "10.0.0.1:11211", Version = "1.6.18", ServerTimeAtStart = 1_714_564_800, HostTimeAtStart = 1_714_564_801, ServerPid = 4242, ServerStartedAt = 1_714_478_400 },
        ],
        DumpHost = "exporter-1",
        Settings = new Dictionary<string, string> { ["connections"] = "4", ["filter"] = "none" },
        KeyFiles = [new DumpManifestKeyFile { Name = "10.0.0.1_11211_000000.keys", Server = "10.0.0.1:11211", Lines = 3, Fetched = true }],
        Files =
        [
            new DumpManifestFile
            {
                Name = "10.0.0.1_11211_000000_000.v0",
                KeyFile = "10.0.0.1_11211_000000.keys",
                Records = 3,
                Bytes = 120,
                Sha256 = new string('a', 64),
            },
        ],
        Totals = new DumpTotals { Listed = 4, Dumped = 3, Missing = 1, Filtered = 0, Skipped = 0, Bytes = 120 },
    };

    [Fact]
    public void Round_trip_keeps_every_field()
    {
        using var temp = new TempDirectory();
        var written = Sample();

        ManifestStore.Write(temp.Path, written);
        var read = ManifestStore.Read(temp.Path);

        Assert.Equal(JsonSerializer.Serialize(written), JsonSerializer.Serialize(read));
    }

    [Fact]
    public void Round_trip_keeps_crc32c_checksums_and_null_fields()
    {
        using var temp = new TempDirectory();
        var written = Sample(complete: false);
        written.ChecksumAlgorithm = DumpManifest.Crc32CAlgorithm;
        written.Sources[0].Version = null;
        written.KeyFiles[0].Server = null;
        written.Files[0].KeyFile = null;
        written.Files[0].Sha256 = string.Empty;
        written.Files[0].Crc32c = "0a1b2c3d";

        ManifestStore.Write(temp.Path, written);
        var read = ManifestStore.Read(temp.Path);

        Assert.Equal(JsonSerializer.Serialize(written), JsonSerializer.Serialize(read));
        Assert.Equal("0a1b2c3d", read.Files[0].ChecksumFor(ChecksumAlgorithm.Crc32C));
        Assert.Contains("\"crc32c\": \"0a1b2c3d\"", File.ReadAllText(temp.Combine("manifest.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Sha256_manifests_have_no_crc32c_field()
    {
        using var temp = new TempDirectory();
        ManifestStore.Write(temp.Path, Sample());

        Assert.DoesNotContain("crc32c", File.ReadAllText(temp.Combine("manifest.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void Manifests_of_earlier_versions_with_fields_since_dropped_still_read()
    {
        // Written by an earlier MemcacheOps, which also wrote a derived "checksumKind"; readers ignore unknown fields.
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("manifest.json"), """
            {
              "checksumKind": 3,
              "format": "memcacheops-dump",
              "formatVersion": 1,
              "createdUtc": "2026-11-21T11:31:10.5671597+00:00",
              "completedUtc": "2026-11-21T11:31:11.785459+00:00",
              "complete": true,
              "listingComplete": true,
              "sources": [ { "server": "127.0.0.1:22122", "version": "1.6.18", "serverTimeAtStart": 1795260671, "hostTimeAtStart": 1795260670 } ],
              "dumpHost": "vm",
              "checksumAlgorithm": "crc32c",
              "recordFormat": "V0",
              "settings": { "layout": "Native", "connections": "1" },
              "keyFiles": [ { "name": "a.keys", "server": "127.0.0.1:22122", "lines": 3372, "fetched": true } ],
              "files": [ { "name": "a_001.v0", "keyFile": "a.keys", "records": 3372, "bytes": 9395981, "sha256": "", "crc32c": "89abcdef" } ],
              "totals": { "listed": 3372, "dumped": 3372, "missing": 0, "filtered": 0, "skipped": 0, "bytes": 9395981 }
            }
            """);

        var read = ManifestStore.Read(temp.Path);

        Assert.True(read.Complete);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 11, 31, 10, TimeSpan.Zero).AddTicks(5671597), read.CreatedUtc);
        Assert.Equal(ChecksumAlgorithm.Crc32C, read.ChecksumKind);
        Assert.Equal(1_795_260_671, read.Sources[0].ServerTimeAtStart);
        Assert.Equal("1", read.Settings["connections"]);
        Assert.Equal(3372, read.KeyFiles[0].Lines);
        Assert.Equal("89abcdef", read.Files[0].Crc32c);
        Assert.Equal(9_395_981, read.Totals.Bytes);
    }

    [Fact]
    public void Json_is_camel_case_indented_with_the_specified_names()
    {
        using var temp = new TempDirectory();
        ManifestStore.Write(temp.Path, Sample(complete: false));
        var text = File.ReadAllText(temp.Combine("manifest.json"));

        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal("memcacheops-dump", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("formatVersion").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("completedUtc").ValueKind);
        Assert.False(root.GetProperty("complete").GetBoolean());
        Assert.True(root.GetProperty("listingComplete").GetBoolean());
        Assert.Equal("sha256", root.GetProperty("checksumAlgorithm").GetString());
        Assert.Equal("V0", root.GetProperty("recordFormat").GetString());
        var source = root.GetProperty("sources")[0];
        Assert.Equal(1_714_564_800, source.GetProperty("serverTimeAtStart").GetInt64());
        Assert.Equal(1_714_564_801, source.GetProperty("hostTimeAtStart").GetInt64());
        Assert.Equal(4242, source.GetProperty("serverPid").GetInt64());
        Assert.Equal(1_714_478_400, source.GetProperty("serverStartedAt").GetInt64());
        Assert.True(root.GetProperty("keyFiles")[0].GetProperty("fetched").GetBoolean());
        Assert.Equal(120, root.GetProperty("files")[0].GetProperty("bytes").GetInt64());
        Assert.Equal(1, root.GetProperty("totals").GetProperty("missing").GetInt64());
        Assert.Equal("4", root.GetProperty("settings").GetProperty("connections").GetString());
        Assert.Contains("\n  \"formatVersion\": 1", text, StringComparison.Ordinal);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rewrite_replaces_whole_and_leaves_no_temporary_file()
    {
        using var temp = new TempDirectory();
        ManifestStore.Write(temp.Path, Sample(complete: false));
        ManifestStore.Write(temp.Path, Sample(complete: true));

        Assert.True(ManifestStore.Read(temp.Path).Complete);
        Assert.Equal(["manifest.json"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Combine("manifest.json")));
    }

    [Fact]
    public void A_failed_rewrite_leaves_the_previous_manifest_intact()
    {
        using var temp = new TempDirectory();
        ManifestStore.Write(temp.Path, Sample(complete: false));
        var before = File.ReadAllBytes(temp.Combine("manifest.json"));
        // A folder where the temporary file must go makes the write fail midway.
        Directory.CreateDirectory(temp.Combine("manifest.json.tmp"));

        var ex = DumpTestData.AssertDumpError("DumpWriteFailed", () => ManifestStore.Write(temp.Path, Sample(complete: true)));

        Assert.Equal(MemcacheErrorKind.WriteFailed, ex.Kind);
        Assert.Equal(before, File.ReadAllBytes(temp.Combine("manifest.json")));
        Assert.False(ManifestStore.Read(temp.Path).Complete);
    }

    [Fact]
    public void Missing_manifest_is_reported_with_its_own_id()
    {
        using var temp = new TempDirectory();
        var ex = DumpTestData.AssertDumpError("DumpManifestMissing", () => ManifestStore.Read(temp.Path));
        Assert.Contains(temp.Path, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("[]", "not a JSON object")]
    [InlineData("{\"format\":\"something-else\",\"formatVersion\":1}", "not written by MemcacheOps")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":2}", "Upgrade MemcacheOps")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":0}", "does not exist")]
    [InlineData("{\"format\":\"memcacheops-dump\"}", "formatVersion")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"recordFormat\":\"V9\"}", "recordFormat")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"files\":null}", "must be present")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"complete\":\"yes\"}", "restore it")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"files\":[{\"name\":\"../x\",\"sha256\":\"" + Hex64 + "\"}]}", "not a plain file name")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"files\":[{\"name\":\"a.v0\",\"sha256\":\"xyz\"}]}", "sha256")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"files\":[{\"name\":\"a.v0\",\"sha256\":\"" + Hex64 + "\"},{\"name\":\"a.v0\",\"sha256\":\"" + Hex64 + "\"}]}", "listed twice")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"complete\":true}", "completedUtc")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"files\":[{\"name\":\"a.v0\",\"records\":\"many\"}]}", "\"files[0].records\" must be a whole number")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"createdUtc\":\"yesterday\"}", "\"createdUtc\" must be an ISO 8601 time")]
    [InlineData("{\"format\":\"memcacheops-dump\",\"formatVersion\":\"1\"}", "numeric \"formatVersion\"")]
    public void Invalid_manifests_are_reported_with_the_path_and_the_problem(string json, string expectedText)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("manifest.json"), json);

        var ex = DumpTestData.AssertDumpError("DumpManifestInvalid", () => ManifestStore.Read(temp.Path));

        Assert.Equal(MemcacheErrorKind.InvalidData, ex.Kind);
        Assert.Contains(temp.Combine("manifest.json"), ex.Message, StringComparison.Ordinal);
        Assert.Contains(expectedText, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Unknown_fields_from_a_newer_writer_of_the_same_version_are_ignored()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("manifest.json"),
            "{\"format\":\"memcacheops-dump\",\"formatVersion\":1,\"futureField\":{\"x\":1},\"createdUtc\":\"2024-05-01T12:00:00Z\"}");

        var manifest = ManifestStore.Read(temp.Path);

        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero), manifest.CreatedUtc);
        Assert.Empty(manifest.Files);
    }

    [Fact]
    public void Writing_an_inconsistent_manifest_is_refused()
    {
        using var temp = new TempDirectory();
        var manifest = Sample();
        manifest.Files[0].KeyFile = "unlisted.keys";

        Assert.Throws<ArgumentException>(() => ManifestStore.Write(temp.Path, manifest));
        Assert.False(File.Exists(temp.Combine("manifest.json")));
    }

    private const string Hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
}
