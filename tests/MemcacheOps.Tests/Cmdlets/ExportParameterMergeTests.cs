using MemcacheOps.Adapters.Config;
using MemcacheOps.Cmdlets.Commands;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Cmdlets;

/// <summary>
/// Export-MemcacheData's options: a cachemover file (-ConfigFile) first, then every parameter the user bound,
/// and never a parameter the user left out. The cmdlet hands its BoundParameters and values to this helper.
/// </summary>
public sealed class ExportParameterMergeTests
{
    /// <summary>A key source as the front ends pass it (here a key file of one key).</summary>
    private static readonly MemcacheOps.Engine.KeySources.KeySource GivenKeys = KeySourceFiles.Of("user:1");

    private const string ConfigPath = "/configs/cachemover.yaml";

    private static readonly ServerEndpoint Cache1 = ServerEndpoint.Parse("10.0.0.1:11211");
    private static readonly ServerEndpoint Cache2 = ServerEndpoint.Parse("10.0.0.2:11211");
    private static readonly ServerEndpoint Cache3 = ServerEndpoint.Parse("10.0.0.3:11211");

    /// <summary>Every setting of the file that export uses, none at the engine's default.</summary>
    private const string FullConfig =
        "ip: \"192.0.2.10\"\n"
        + "port: 11311\n"
        + "threads: 6\n"
        + "bufsize: 1048576\n"
        + "memlimit: 67108864\n"
        + "key_file_size: 1048576\n"
        + "data_file_size: 8388608\n"
        + "output_dir: \"/dumps/from-file\"\n"
        + "bulk_get_threshold: 30\n"
        + "only_expire_after_s: 120\n"
        + "req_id: \"nightly-7\"\n"
        + "checkpoint_resume: true\n"
        + "is_s3_dump: false\n"
        + "ketama_bucket_size: 100\n"
        + "all_ips:\n  - \"10.0.0.1:11211\"\n  - \"10.0.0.2:11211\"\n  - \"10.0.0.3:11211\"\n"
        + "dest_ips:\n  - \"10.0.0.2:11211\"\n";

    /// <summary>Values unlike both the file's and the engine's defaults, so a test can tell where each option came from.</summary>
    private static readonly ExportParameterValues Values = new()
    {
        Servers = [Cache1],
        Path = "/dumps/from-parameter",
        Connections = 12,
        BatchSize = 250,
        Window = 9,
        MemoryLimit = 512L * 1024 * 1024,
        KeyFileSize = 2L * 1024 * 1024,
        DataFileSize = 64L * 1024 * 1024,
        OnlyExpireAfter = 3600,
        RequestId = "from-parameter",
        Resume = false,
        Force = true,
        RingServer = [Cache1, Cache2],
        DestinationServer = [Cache1],
        PointsPerServer = 40,
        RingForm = RingForm.Libmemcached,
        Layout = DumpLayout.Cachemover,
        MaxOpsPerSecond = 5000,
        MaxBytesPerSecond = 1_000_000,
        Method = ListingMethod.MetadumpAll,
        Connection = ConnectionOptions.Default with { ConnectTimeout = TimeSpan.FromSeconds(1.5) },
    };

    private static readonly string[] OptionParameters =
    [
        "Server", "Path", "Connections", "BatchSize", "Window", "MemoryLimit", "KeyFileSize", "DataFileSize", "OnlyExpireAfter",
        "RequestId", "Resume", "Force", "RingServer", "DestinationServer", "PointsPerServer", "RingForm", "Layout",
        "MaxOpsPerSecond", "MaxBytesPerSecond", "Method",
    ];

    [Fact]
    public void WithoutAFile_EveryBoundParameterIsUsed()
    {
        var options = ExportParameterMerge.Merge(null, Bound(OptionParameters), Values);

        Assert.Equal([Cache1], options.Servers);
        Assert.Equal("/dumps/from-parameter", options.Path);
        Assert.Equal(12, options.Connections);
        Assert.Equal(250, options.BatchSize);
        Assert.Equal(9, options.Window);
        Assert.Equal(512L * 1024 * 1024, options.MemoryLimit);
        Assert.Equal(2L * 1024 * 1024, options.KeyFileSize);
        Assert.Equal(64L * 1024 * 1024, options.DataFileSize);
        Assert.Equal(3600, options.OnlyExpireAfterSeconds);
        Assert.Equal("from-parameter", options.RequestId);
        Assert.False(options.Resume);
        Assert.True(options.Force);
        Assert.Equal(DumpLayout.Cachemover, options.Layout);
        Assert.Equal(5000, options.MaxOperationsPerSecond);
        Assert.Equal(1_000_000, options.MaxBytesPerSecond);
        Assert.Equal(ListingMethod.MetadumpAll, options.Listing.Method);
        Assert.Equal(TimeSpan.FromSeconds(1.5), options.Connection.ConnectTimeout);
        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2], ketama.Servers);
        Assert.Equal([Cache1], ketamaFilter.KeepOwners);
        Assert.Equal(40, ketama.PointsPerServer);
        Assert.Equal(KetamaForm.Libmemcached, ketama.Form);
    }

    [Fact]
    public void WithoutAFile_ParametersLeftOut_KeepTheEngineDefaults()
    {
        var options = ExportParameterMerge.Merge(null, Bound("Server", "Path"), Values);
        var defaults = new ExportOptions { Servers = [Cache1], Path = "/dumps/from-parameter" };

        Assert.Equal(defaults.Connections, options.Connections);
        Assert.Equal(defaults.BatchSize, options.BatchSize);
        Assert.Equal(defaults.Window, options.Window);
        Assert.Equal(defaults.MemoryLimit, options.MemoryLimit);
        Assert.Equal(defaults.KeyFileSize, options.KeyFileSize);
        Assert.Equal(defaults.DataFileSize, options.DataFileSize);
        Assert.Equal(defaults.OnlyExpireAfterSeconds, options.OnlyExpireAfterSeconds);
        Assert.Null(options.RequestId);
        Assert.False(options.Force);
        Assert.Equal(defaults.Layout, options.Layout);
        Assert.Null(options.MaxOperationsPerSecond);
        Assert.Null(options.MaxBytesPerSecond);
        Assert.Equal(defaults.Listing.Method, options.Listing.Method);
        Assert.Null(options.OwnerFilter);
    }

    [Fact]
    public void WithoutAFile_ServerAndPathAreRequired()
    {
        var noServer = Assert.Throws<MemcacheException>(() => ExportParameterMerge.Merge(null, Bound("Path"), Values with { Servers = null }));
        Assert.Equal("ServerRequired", noServer.ErrorId);
        var noPath = Assert.Throws<MemcacheException>(() => ExportParameterMerge.Merge(null, Bound("Server"), Values with { Path = null }));
        Assert.Equal("PathRequired", noPath.ErrorId);
    }

    [Fact]
    public void WithAFile_AndNoParameters_TheFileDecides()
    {
        // Values are set but not bound: none of them may leak into the options.
        var options = ExportParameterMerge.Merge(Config(FullConfig), Bound(), Values with { Servers = null, Path = null });

        Assert.Equal([new ServerEndpoint("192.0.2.10", 11311)], options.Servers);
        Assert.Equal("/dumps/from-file", options.Path);
        Assert.Equal(6, options.Connections);
        Assert.Equal(30, options.BatchSize);
        Assert.Equal(67108864, options.MemoryLimit);
        Assert.Equal(1048576, options.KeyFileSize);
        Assert.Equal(8388608, options.DataFileSize);
        Assert.Equal(120, options.OnlyExpireAfterSeconds);
        Assert.Equal("nightly-7", options.RequestId);
        Assert.True(options.Resume);
        Assert.False(options.Force);
        Assert.Equal(DumpLayout.Native, options.Layout);
        Assert.Null(options.MaxOperationsPerSecond);
        Assert.Equal(ListingMethod.Auto, options.Listing.Method);
        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2, Cache3], ketama.Servers);
        Assert.Equal([Cache2], ketamaFilter.KeepOwners);
        Assert.Equal(100, ketama.PointsPerServer);
        Assert.Equal(KetamaForm.Spymemcached, ketama.Form);
    }

    [Fact]
    public void WithAFile_BoundParametersOverrideIt()
    {
        var options = ExportParameterMerge.Merge(Config(FullConfig), Bound(OptionParameters), Values);

        Assert.Equal([Cache1], options.Servers);
        Assert.Equal("/dumps/from-parameter", options.Path);
        Assert.Equal(12, options.Connections);
        Assert.Equal(250, options.BatchSize);
        Assert.Equal(9, options.Window);
        Assert.Equal(512L * 1024 * 1024, options.MemoryLimit);
        Assert.Equal(2L * 1024 * 1024, options.KeyFileSize);
        Assert.Equal(64L * 1024 * 1024, options.DataFileSize);
        Assert.Equal(3600, options.OnlyExpireAfterSeconds);
        Assert.Equal("from-parameter", options.RequestId);
        Assert.False(options.Resume); // -Resume:$false beats checkpoint_resume: true
        Assert.True(options.Force);
        Assert.Equal(DumpLayout.Cachemover, options.Layout);
        Assert.Equal(5000, options.MaxOperationsPerSecond);
        Assert.Equal(ListingMethod.MetadumpAll, options.Listing.Method);
        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2], ketama.Servers);
        Assert.Equal([Cache1], ketamaFilter.KeepOwners);
        Assert.Equal(40, ketama.PointsPerServer);
        Assert.Equal(KetamaForm.Libmemcached, ketama.Form);
    }

    [Fact]
    public void WithAFile_OneParameter_ChangesOnlyItsOption()
    {
        var options = ExportParameterMerge.Merge(Config(FullConfig), Bound("Connections"), Values with { Servers = null, Path = null });

        Assert.Equal(12, options.Connections);
        Assert.Equal(30, options.BatchSize);
        Assert.Equal("/dumps/from-file", options.Path);
        Assert.True(options.Resume);
    }

    [Fact]
    public void WithAFile_KeysLeftOutOfIt_KeepTheEngineDefaults()
    {
        var options = ExportParameterMerge.Merge(Config("ip: \"192.0.2.10\"\noutput_dir: \"/dumps/minimal\"\n"), Bound(), Values with { Servers = null, Path = null });
        var defaults = new ExportOptions { Servers = [Cache1], Path = "/dumps/minimal" };

        Assert.Equal([new ServerEndpoint("192.0.2.10", ServerEndpoint.DefaultPort)], options.Servers);
        Assert.Equal(defaults.Connections, options.Connections);
        Assert.Equal(defaults.BatchSize, options.BatchSize);
        Assert.Equal(defaults.MemoryLimit, options.MemoryLimit);
        Assert.False(options.Resume);
        Assert.Null(options.OwnerFilter);
    }

    [Fact]
    public void WithAFile_ServerAndPath_CanComeFromParameters()
    {
        var options = ExportParameterMerge.Merge(Config("threads: 3\n"), Bound("Server", "Path"), Values);

        Assert.Equal([Cache1], options.Servers);
        Assert.Equal("/dumps/from-parameter", options.Path);
        Assert.Equal(3, options.Connections);
    }

    [Fact]
    public void WithAFile_WithoutIp_OrServer_SaysWhichKeyIsMissing()
    {
        var error = Assert.Throws<MemcacheException>(() => ExportParameterMerge.Merge(Config("output_dir: \"/dumps/x\"\n"), Bound(), Values with { Servers = null, Path = null }));
        Assert.Equal("ConfigInvalid", error.ErrorId);
        Assert.Contains("'ip'", error.Message, StringComparison.Ordinal);
        Assert.Contains(ConfigPath, error.Message, StringComparison.Ordinal);

        var noFolder = Assert.Throws<MemcacheException>(() => ExportParameterMerge.Merge(Config("ip: \"192.0.2.10\"\n"), Bound(), Values with { Servers = null, Path = null }));
        Assert.Contains("'output_dir'", noFolder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithAFile_ForS3_StillDumpsToTheFilesFolder()
    {
        // is_s3_dump is honoured by the cmdlet's publish options (CachemoverMapping.ToChunkPublishOptions);
        // the local part of the export is the same as without it.
        var config = Config(FullConfig.Replace("is_s3_dump: false", "is_s3_dump: true", StringComparison.Ordinal));
        var options = ExportParameterMerge.Merge(config, Bound(), Values);
        var plain = ExportParameterMerge.Merge(Config(FullConfig), Bound(), Values);
        Assert.Equal(plain.Path, options.Path);
        Assert.Equal(plain.Servers, options.Servers);
    }

    [Fact]
    public void WithAFile_DestIpsWithoutAllIps_IsCompletedByRingServer()
    {
        var config = Config("ip: \"192.0.2.10\"\noutput_dir: \"/dumps/x\"\ndest_ips:\n  - \"10.0.0.2:11211\"\n");
        var options = ExportParameterMerge.Merge(config, Bound("RingServer"), Values with { RingServer = [Cache1, Cache2, Cache3] });

        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal(3, ketama.Servers.Count);
        Assert.Equal([Cache2], ketamaFilter.KeepOwners);
        Assert.Equal(KetamaRing.DefaultPointsPerServer, ketama.PointsPerServer);

        var error = Assert.Throws<MemcacheException>(() => ExportParameterMerge.Merge(config, Bound(), Values));
        Assert.Equal("KetamaFilterIncomplete", error.ErrorId);
        Assert.Contains("all_ips", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithAFile_AllIpsAlone_FiltersNothing_UntilDestinationServerIsGiven()
    {
        var config = Config("ip: \"192.0.2.10\"\noutput_dir: \"/dumps/x\"\nketama_bucket_size: 80\nall_ips:\n  - \"10.0.0.1:11211\"\n  - \"10.0.0.2:11211\"\n");
        Assert.Null(ExportParameterMerge.Merge(config, Bound(), Values).OwnerFilter);

        var ketamaFilter = Assert.IsType<OwnerFilter>(ExportParameterMerge.Merge(config, Bound("DestinationServer"), Values).OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2], ketama.Servers);
        Assert.Equal([Cache1], ketamaFilter.KeepOwners);
        Assert.Equal(80, ketama.PointsPerServer);
    }

    [Fact]
    public void WithAFile_PointsAndForm_RebuildTheFilesRing()
    {
        var options = ExportParameterMerge.Merge(Config(FullConfig), Bound("PointsPerServer", "RingForm"), Values);

        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2, Cache3], ketama.Servers);
        Assert.Equal([Cache2], ketamaFilter.KeepOwners);
        Assert.Equal(40, ketama.PointsPerServer);
        Assert.Equal(KetamaForm.Libmemcached, ketama.Form);
    }

    [Fact]
    public void RingServer_WithoutDestinations_IsRefused()
    {
        var error = Assert.Throws<MemcacheException>(() => ExportParameterMerge.Merge(null, Bound("Server", "Path", "RingServer"), Values));
        Assert.Equal("KetamaFilterIncomplete", error.ErrorId);
        Assert.Contains("-DestinationServer", error.Message, StringComparison.Ordinal);

        var other = Assert.Throws<MemcacheException>(() => ExportParameterMerge.Merge(null, Bound("Server", "Path", "DestinationServer"), Values));
        Assert.Contains("-RingServer", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PatternsAndKeys_ComeFromTheParameters_WithOrWithoutAFile()
    {
        var values = Values with { Include = "user:*", Exclude = "user:*:tmp", Keys = GivenKeys };
        foreach (var config in new[] { null, Config(FullConfig) })
        {
            var options = ExportParameterMerge.Merge(config, Bound("Server", "Path", "Include", "Exclude", "Key"), values);
            Assert.False(options.Filter.IsEmpty);
            Assert.True(options.Filter.Matches("user:1"u8, -1, 1));
            Assert.False(options.Filter.Matches("user:1:tmp"u8, -1, 1));
            Assert.False(options.Filter.Matches("session:1"u8, -1, 1));
            Assert.Same(GivenKeys, options.Keys);
        }
    }

    [Fact]
    public void BoundNames_AreMatchedIgnoringCase_LikePowerShell()
    {
        var bound = new Dictionary<string, object>(StringComparer.Ordinal) { ["server"] = "x", ["path"] = "x", ["CONNECTIONS"] = 12 };
        Assert.Equal(12, ExportParameterMerge.Merge(null, bound, Values).Connections);
    }

    [Fact]
    public void ConfigFile_ReadFromDisk_ThroughTheAdaptersReader()
    {
        var folder = Directory.CreateTempSubdirectory("memcacheops-merge-");
        try
        {
            var file = Path.Combine(folder.FullName, "cachemover.yaml");
            File.WriteAllText(file, FullConfig);
            var config = new MemcacheOps.Adapters.AdapterFactory().CreateConfigReader().Read(file);

            var options = ExportParameterMerge.Merge(config, Bound("BatchSize"), Values with { Servers = null, Path = null });
            Assert.Equal("/dumps/from-file", options.Path);
            Assert.Equal(250, options.BatchSize);
            Assert.Equal(6, options.Connections);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Overrides_HoldBoundParametersOnly()
    {
        var values = Values with { S3Prefix = "given/prefix", RemoveLocal = false, Resume = false };
        var none = ExportParameterMerge.ToOverrides(Bound(), values with { Servers = null, Path = null });
        Assert.Null(none.Connections);
        Assert.Null(none.Resume);
        Assert.Null(none.RemoveLocal);
        Assert.Null(none.RingServers);
        Assert.Null(none.PointsPerServer);

        var bound = ExportParameterMerge.ToOverrides(Bound("Resume", "RemoveLocal", "Connections", "S3Prefix"), values);
        Assert.False(bound.Resume);
        Assert.False(bound.RemoveLocal);
        Assert.Equal(12, bound.Connections);
        Assert.Equal("given/prefix", bound.S3Prefix);
    }

    [Fact]
    public void S3Prefix_CompletesAnS3DumpFile()
    {
        var config = Config("ip: \"192.0.2.10\"\noutput_dir: \"/dumps/x\"\nreq_id: \"r1\"\nis_s3_dump: true\ns3_bucket: \"file-bucket\"\nsqs_queue: \"file-queue\"\n");
        var overrides = ExportParameterMerge.ToOverrides(Bound("S3Prefix"), Values with { S3Prefix = "given/prefix" });
        var publish = ExportSettingsMerge.MergePublish(config, overrides)!;
        Assert.Equal("file-bucket", publish.Bucket);
        Assert.Equal("given/prefix", publish.Prefix);
        Assert.Equal("file-queue", publish.QueueName);
    }

    private static CachemoverConfig Config(string yaml) => CachemoverYamlReader.Parse(yaml, ConfigPath);

    private static Dictionary<string, object> Bound(params string[] names)
        => names.ToDictionary(n => n, n => (object)n, StringComparer.OrdinalIgnoreCase);
}
