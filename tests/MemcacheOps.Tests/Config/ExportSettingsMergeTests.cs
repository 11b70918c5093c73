using MemcacheOps.Engine;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Config;

/// <summary>
/// The one merge of a cachemover configuration with explicit settings that both front ends use: an explicit
/// value wins (false and zero included), else the file's value, else the engine default.
/// </summary>
public sealed class ExportSettingsMergeTests
{
    /// <summary>A key source as the front ends pass it (here a key file of one key).</summary>
    private static readonly MemcacheOps.Engine.KeySources.KeySource GivenKeys = KeySourceFiles.Of("user:1");

    private const string ConfigPath = "/configs/cachemover.yaml";

    private static readonly ServerEndpoint Cache1 = ServerEndpoint.Parse("10.0.0.1:11211");
    private static readonly ServerEndpoint Cache2 = ServerEndpoint.Parse("10.0.0.2:11211");
    private static readonly ServerEndpoint Cache3 = ServerEndpoint.Parse("10.0.0.3:11211");

    /// <summary>Every key export uses, none at the engine's default.</summary>
    private static readonly CachemoverConfig FullConfig = new()
    {
        SourcePath = ConfigPath,
        Ip = "192.0.2.10",
        Port = 11311,
        Threads = 6,
        MemLimit = 64L * 1024 * 1024,
        KeyFileSize = 1024 * 1024,
        DataFileSize = 8 * 1024 * 1024,
        OutputDir = "/dumps/from-file",
        ReqId = "nightly-7",
        BulkGetThreshold = 30,
        OnlyExpireAfterSeconds = 120,
        CheckpointResume = true,
        KetamaBucketSize = 100,
        AllIps = [Cache1, Cache2, Cache3],
        DestIps = [Cache2],
    };

    private static readonly CachemoverConfig S3Config = new()
    {
        SourcePath = ConfigPath,
        Ip = "192.0.2.10",
        OutputDir = "/dumps/from-file",
        ReqId = "nightly-7",
        IsS3Dump = true,
        S3Bucket = "file-bucket",
        S3FinalPath = "file/prefix",
        SqsQueue = "file-queue",
    };

    private static readonly ExportOverrides ServerAndPath = new() { Servers = [Cache1], Path = "/dumps/given" };

    [Fact]
    public void NoConfig_NothingElseGiven_TakesTheEngineDefaults()
    {
        var settings = ExportSettingsMerge.Merge(null, ServerAndPath);
        var defaults = new ExportOptions { Servers = [Cache1], Path = "/dumps/given" };

        var options = settings.Export;
        Assert.Equal([Cache1], options.Servers);
        Assert.Equal("/dumps/given", options.Path);
        Assert.Equal(defaults with { Servers = options.Servers }, options);
        Assert.Null(settings.Publish);
    }

    [Fact]
    public void NoConfig_ServerAndPathAreRequired()
    {
        var noServer = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(null, ServerAndPath with { Servers = null }));
        Assert.Equal("ServerRequired", noServer.ErrorId);
        Assert.Contains("-Server", noServer.Message, StringComparison.Ordinal);
        var noPath = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(null, ServerAndPath with { Path = null }));
        Assert.Equal("PathRequired", noPath.ErrorId);
        Assert.Contains("-Path", noPath.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigOnly_EveryKeyIsUsed()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, ExportOverrides.None);

        Assert.Equal([new ServerEndpoint("192.0.2.10", 11311)], options.Servers);
        Assert.Equal("/dumps/from-file", options.Path);
        Assert.Equal(6, options.Connections);
        Assert.Equal(30, options.BatchSize);
        Assert.Equal(64L * 1024 * 1024, options.MemoryLimit);
        Assert.Equal(1024 * 1024, options.KeyFileSize);
        Assert.Equal(8 * 1024 * 1024, options.DataFileSize);
        Assert.Equal(120, options.OnlyExpireAfterSeconds);
        Assert.Equal("nightly-7", options.RequestId);
        Assert.True(options.Resume);
        Assert.False(options.Force);
        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2, Cache3], ketama.Servers);
        Assert.Equal([Cache2], ketamaFilter.KeepOwners);
        Assert.Equal(100, ketama.PointsPerServer);
        Assert.Equal(KetamaForm.Spymemcached, ketama.Form);
    }

    [Fact]
    public void ConfigOnly_KeysLeftOut_KeepTheEngineDefaults_AndThePortDefaults()
    {
        var options = ExportSettingsMerge.MergeExport(new CachemoverConfig { Ip = "192.0.2.10", OutputDir = "/dumps/minimal" }, ExportOverrides.None);
        var defaults = new ExportOptions { Servers = options.Servers, Path = "/dumps/minimal" };

        Assert.Equal([new ServerEndpoint("192.0.2.10", ServerEndpoint.DefaultPort)], options.Servers);
        Assert.Equal(defaults, options);
    }

    [Fact]
    public void ConfigWithoutIpOrOutputDir_NamesTheMissingKeyAndTheFile()
    {
        var noIp = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig with { Ip = null }, ExportOverrides.None));
        Assert.Equal("ConfigInvalid", noIp.ErrorId);
        Assert.Contains("'ip'", noIp.Message, StringComparison.Ordinal);
        Assert.Contains(ConfigPath, noIp.Message, StringComparison.Ordinal);
        var noFolder = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig with { OutputDir = null }, ExportOverrides.None));
        Assert.Contains("'output_dir'", noFolder.Message, StringComparison.Ordinal);

        // Given explicitly, neither is needed from the file.
        var options = ExportSettingsMerge.MergeExport(FullConfig with { Ip = null, OutputDir = null }, ServerAndPath);
        Assert.Equal([Cache1], options.Servers);
        Assert.Equal("/dumps/given", options.Path);
        Assert.Equal(6, options.Connections);
    }

    [Fact]
    public void ExplicitNumbers_OverrideTheFile()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { Connections = 12, BatchSize = 250, Window = 9 });

        Assert.Equal(12, options.Connections);
        Assert.Equal(250, options.BatchSize);
        Assert.Equal(9, options.Window);
        Assert.Equal(64L * 1024 * 1024, options.MemoryLimit); // not given: still the file's
    }

    [Fact]
    public void ExplicitSizes_OverrideTheFile()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides
        {
            MemoryLimit = 512L * 1024 * 1024, KeyFileSize = 2L * 1024 * 1024, DataFileSize = 64L * 1024 * 1024,
        });

        Assert.Equal(512L * 1024 * 1024, options.MemoryLimit);
        Assert.Equal(2L * 1024 * 1024, options.KeyFileSize);
        Assert.Equal(64L * 1024 * 1024, options.DataFileSize);
        Assert.Equal(6, options.Connections);
    }

    [Fact]
    public void ExplicitZero_OverridesTheFile()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { OnlyExpireAfterSeconds = 0 });
        Assert.Equal(0, options.OnlyExpireAfterSeconds);
    }

    [Fact]
    public void ExplicitFalse_OverridesTheFilesTrue_AndExplicitTrueItsFalse()
    {
        Assert.False(ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { Resume = false }).Resume);
        Assert.True(ExportSettingsMerge.MergeExport(FullConfig with { CheckpointResume = false }, new ExportOverrides { Resume = true }).Resume);
        Assert.False(ExportSettingsMerge.MergeExport(FullConfig with { CheckpointResume = false }, ExportOverrides.None).Resume);
        Assert.True(ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { Force = true, Resume = false }).Force);
    }

    [Fact]
    public void ExplicitTexts_OverrideTheFile()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { RequestId = "given", Path = "/dumps/given" });
        Assert.Equal("given", options.RequestId);
        Assert.Equal("/dumps/given", options.Path);
    }

    [Fact]
    public void ExplicitServer_ReplacesTheFilesIpAndPort()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { Servers = [Cache3, Cache1] });
        Assert.Equal([Cache3, Cache1], options.Servers);
    }

    [Fact]
    public void ExplicitRingAndDestinations_ReplaceTheFiles()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides
        {
            RingServers = [Cache1, Cache2], DestinationServers = [Cache1], PointsPerServer = 40, RingForm = RingForm.Libmemcached,
        });

        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2], ketama.Servers);
        Assert.Equal([Cache1], ketamaFilter.KeepOwners);
        Assert.Equal(40, ketama.PointsPerServer);
        Assert.Equal(KetamaForm.Libmemcached, ketama.Form);
    }

    [Fact]
    public void ExplicitPointsAndForm_RebuildTheFilesRing()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { PointsPerServer = 40, RingForm = RingForm.Libmemcached });

        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2, Cache3], ketama.Servers);
        Assert.Equal([Cache2], ketamaFilter.KeepOwners);
        Assert.Equal(40, ketama.PointsPerServer);
        Assert.Equal(KetamaForm.Libmemcached, ketama.Form);
    }

    [Fact]
    public void AnMcrouterForm_UsesTheFilesServersInOrder_AndIgnoresItsKetamaBucketSize()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { RingForm = RingForm.Ch3, HashSalt = "main-1" });

        var filter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var pool = Assert.IsType<Ch3Pool>(filter.Lookup);
        Assert.Equal([Cache1, Cache2, Cache3], pool.Servers);
        Assert.Equal("main-1", pool.HashSalt);
        Assert.Equal([Cache2], filter.KeepOwners);
    }

    [Fact]
    public void PlacementSettingsThatDoNotFitTheForm_SayWhereTheRingCameFrom()
    {
        var points = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { RingForm = RingForm.Ch3, PointsPerServer = 40 }));
        Assert.Equal("RingPointsNeedKetama", points.ErrorId);
        Assert.Contains($"all_ips in '{ConfigPath}'", points.Message, StringComparison.Ordinal);

        var weights = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { RingForm = RingForm.WeightedCh3, HashWeights = [1, 1] }));
        Assert.Equal("RingWeightCountMismatch", weights.ErrorId);
    }

    [Fact]
    public void EmptyRingLists_CountAsNotGiven()
    {
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { RingServers = [], DestinationServers = [] });
        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal(3, ketama.Servers.Count);
        Assert.Equal([Cache2], ketamaFilter.KeepOwners);
    }

    [Fact]
    public void DestIpsWithoutAllIps_AreCompletedByRingServers()
    {
        var config = new CachemoverConfig { SourcePath = ConfigPath, Ip = "192.0.2.10", OutputDir = "/dumps/x", DestIps = [Cache2] };

        var options = ExportSettingsMerge.MergeExport(config, new ExportOverrides { RingServers = [Cache1, Cache2, Cache3] });

        var ketamaFilter = Assert.IsType<OwnerFilter>(options.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2, Cache3], ketama.Servers);
        Assert.Equal([Cache2], ketamaFilter.KeepOwners);
        Assert.Equal(KetamaRing.DefaultPointsPerServer, ketama.PointsPerServer);

        var error = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(config, ExportOverrides.None));
        Assert.Equal("KetamaFilterIncomplete", error.ErrorId);
        Assert.Contains("all_ips", error.Message, StringComparison.Ordinal);
        Assert.Contains("-RingServer", error.Message, StringComparison.Ordinal);
        Assert.Contains(ConfigPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllIpsWithoutDestIps_AreCompletedByDestinationServers_WithTheFilesPoints()
    {
        var config = new CachemoverConfig { Ip = "192.0.2.10", OutputDir = "/dumps/x", KetamaBucketSize = 80, AllIps = [Cache1, Cache2] };
        Assert.Null(ExportSettingsMerge.MergeExport(config, ExportOverrides.None).OwnerFilter);

        var ketamaFilter = Assert.IsType<OwnerFilter>(ExportSettingsMerge.MergeExport(config, new ExportOverrides { DestinationServers = [Cache1] }).OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal([Cache1, Cache2], ketama.Servers);
        Assert.Equal([Cache1], ketamaFilter.KeepOwners);
        Assert.Equal(80, ketama.PointsPerServer);
    }

    [Fact]
    public void RingWithoutDestinations_AndDestinationsWithoutRing_AreRefused()
    {
        var ringOnly = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(null, ServerAndPath with { RingServers = [Cache1, Cache2] }));
        Assert.Equal("KetamaFilterIncomplete", ringOnly.ErrorId);
        Assert.Contains("-DestinationServer", ringOnly.Message, StringComparison.Ordinal);

        var keepOnly = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(null, ServerAndPath with { DestinationServers = [Cache1] }));
        Assert.Equal("KetamaFilterIncomplete", keepOnly.ErrorId);
        Assert.Contains("-RingServer", keepOnly.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PatternsAndKeys_ComeFromTheOverrides_WithOrWithoutAFile()
    {
        var overrides = ServerAndPath with { Include = "user:*", Exclude = "user:*:tmp", Keys = GivenKeys };
        foreach (var config in new[] { null, FullConfig })
        {
            var options = ExportSettingsMerge.MergeExport(config, overrides);
            Assert.True(options.Filter.Matches("user:1"u8, -1, 1));
            Assert.False(options.Filter.Matches("user:1:tmp"u8, -1, 1));
            Assert.False(options.Filter.Matches("session:1"u8, -1, 1));
            Assert.Same(GivenKeys, options.Keys);
        }

        var regex = ExportSettingsMerge.MergeExport(null, ServerAndPath with { Include = "^user:[0-9]+$", Regex = true });
        Assert.True(regex.Filter.Matches("user:42"u8, -1, 1));
        Assert.False(regex.Filter.Matches("user:x"u8, -1, 1));

        Assert.True(ExportSettingsMerge.MergeExport(null, ServerAndPath with { Regex = true }).Filter.IsEmpty);
    }

    [Fact]
    public void SettingsNoFileHas_ComeFromTheOverridesOrTheDefaults()
    {
        var connection = ConnectionOptions.Default with { ConnectTimeout = TimeSpan.FromSeconds(1.5) };
        var options = ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides
        {
            Layout = DumpLayout.Cachemover, Checksum = ChecksumAlgorithm.Sha256, MaxOperationsPerSecond = 5000, MaxBytesPerSecond = 1e6,
            Method = ListingMethod.MetadumpAll, Connection = connection,
        });

        Assert.Equal(DumpLayout.Cachemover, options.Layout);
        Assert.Equal(ChecksumAlgorithm.Sha256, options.Checksum);
        Assert.Equal(5000, options.MaxOperationsPerSecond);
        Assert.Equal(1e6, options.MaxBytesPerSecond);
        Assert.Equal(ListingMethod.MetadumpAll, options.Listing.Method);
        Assert.Equal(connection, options.Connection);

        var plain = ExportSettingsMerge.MergeExport(FullConfig, ExportOverrides.None);
        Assert.Equal(DumpLayout.Native, plain.Layout);
        Assert.Null(plain.MaxOperationsPerSecond);
        Assert.Equal(ConnectionOptions.Default, plain.Connection);
    }

    [Fact]
    public void AFileValueMemcacheOpsCannotUse_NamesTheKeyTheFileAndTheParameter()
    {
        // cachemover accepts up to 1024 threads; an export opens at most 256 connections.
        var error = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig with { Threads = 512 }, ExportOverrides.None));
        Assert.Equal("InvalidConnections", error.ErrorId);
        Assert.Contains("threads: 512", error.Message, StringComparison.Ordinal);
        Assert.Contains(ConfigPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("-Connections", error.Message, StringComparison.Ordinal);
        Assert.Equal(ConfigPath, error.Target);

        // The parameter overrides the unusable value.
        Assert.Equal(8, ExportSettingsMerge.MergeExport(FullConfig with { Threads = 512 }, new ExportOverrides { Connections = 8 }).Connections);

        var batch = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig with { BulkGetThreshold = 50_000 }, ExportOverrides.None));
        Assert.Equal("InvalidBatchSize", batch.ErrorId);
        Assert.Contains("bulk_get_threshold: 50000", batch.Message, StringComparison.Ordinal);

        var keyFile = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig with { KeyFileSize = 100 }, ExportOverrides.None));
        Assert.Equal("InvalidFileSize", keyFile.ErrorId);
        Assert.Contains("key_file_size: 100", keyFile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExplicitValueOutOfRange_NamesTheParameter()
    {
        var connections = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { Connections = 0 }));
        Assert.Equal("InvalidConnections", connections.ErrorId);
        Assert.Contains("-Connections 0", connections.Message, StringComparison.Ordinal);
        Assert.Contains("threads", connections.Message, StringComparison.Ordinal);

        var window = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(null, ServerAndPath with { Window = 65 }));
        Assert.Equal("InvalidWindow", window.ErrorId);
        Assert.Contains("-Window 65", window.Message, StringComparison.Ordinal);

        var dataFile = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(null, ServerAndPath with { DataFileSize = 10 }));
        Assert.Equal("InvalidFileSize", dataFile.ErrorId);
        Assert.Contains("-DataFileSize 10", dataFile.Message, StringComparison.Ordinal);

        var after = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(null, ServerAndPath with { OnlyExpireAfterSeconds = -1 }));
        Assert.Equal("InvalidOnlyExpireAfter", after.ErrorId);
        Assert.Contains("-OnlyExpireAfter -1", after.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConfigBuiltInCode_WithAValueCachemoverRefuses_NamesTheKey()
    {
        var error = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig with { Port = 70_000 }, ExportOverrides.None));
        Assert.Equal("ConfigInvalid", error.ErrorId);
        Assert.Contains("'port'", error.Message, StringComparison.Ordinal);
        Assert.Contains(ConfigPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARingThatCannotBeBuilt_SaysWhereEachPartCameFrom()
    {
        var points = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig with { KetamaBucketSize = 2 }, ExportOverrides.None));
        Assert.Equal("KetamaInvalidPointsPerServer", points.ErrorId);
        Assert.Contains($"ketama_bucket_size in '{ConfigPath}'", points.Message, StringComparison.Ordinal);

        var stranger = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergeExport(FullConfig, new ExportOverrides { DestinationServers = [ServerEndpoint.Parse("10.0.0.9:11211")] }));
        Assert.Equal("KetamaDestinationNotInRing", stranger.ErrorId);
        Assert.Contains("-DestinationServer", stranger.Message, StringComparison.Ordinal);
        Assert.Contains($"all_ips in '{ConfigPath}'", stranger.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_NoBucketAnywhere_KeepsTheDumpOnDisk()
    {
        Assert.Null(ExportSettingsMerge.MergePublish(null, ServerAndPath));
        Assert.Null(ExportSettingsMerge.MergePublish(FullConfig, ExportOverrides.None));
        // A file that does not ask for an S3 dump ships nothing, even if it names a bucket.
        Assert.Null(ExportSettingsMerge.MergePublish(S3Config with { IsS3Dump = false }, ExportOverrides.None));
        // -RemoveLocal:$false asks for nothing.
        Assert.Null(ExportSettingsMerge.MergePublish(null, new ExportOverrides { RemoveLocal = false }));
    }

    [Fact]
    public void Publish_FromAnS3DumpFile()
    {
        var publish = Assert.IsType<Engine.Distributed.ChunkPublishOptions>(ExportSettingsMerge.Merge(S3Config, ExportOverrides.None).Publish);
        Assert.Equal("file-bucket", publish.Bucket);
        Assert.Equal("file/prefix", publish.Prefix);
        Assert.Equal("file-queue", publish.QueueName);
        Assert.False(publish.RemoveLocal);
    }

    [Fact]
    public void Publish_EachExplicitValue_OverridesTheFilesOwn()
    {
        var prefix = ExportSettingsMerge.MergePublish(S3Config, new ExportOverrides { S3Prefix = "given/prefix", RemoveLocal = true })!;
        Assert.Equal("file-bucket", prefix.Bucket);
        Assert.Equal("given/prefix", prefix.Prefix);
        Assert.Equal("file-queue", prefix.QueueName);
        Assert.True(prefix.RemoveLocal);

        var all = ExportSettingsMerge.MergePublish(S3Config, new ExportOverrides { S3Bucket = "given-bucket", SqsQueue = "given-queue" })!;
        Assert.Equal("given-bucket", all.Bucket);
        Assert.Equal("file/prefix", all.Prefix);
        Assert.Equal("given-queue", all.QueueName);
    }

    [Fact]
    public void Publish_WithoutAnS3DumpFile_PrefixAndQueueDefault()
    {
        var publish = ExportSettingsMerge.MergePublish(FullConfig, new ExportOverrides { S3Bucket = "given-bucket" })!;
        Assert.Equal("given-bucket", publish.Bucket);
        Assert.Equal(string.Empty, publish.Prefix);
        Assert.Null(publish.QueueName);
    }

    [Fact]
    public void Publish_AnIncompleteS3DumpFile_NamesTheMissingKey_UnlessAParameterGivesIt()
    {
        var noQueue = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergePublish(S3Config with { SqsQueue = null }, ExportOverrides.None));
        Assert.Equal("ConfigInvalid", noQueue.ErrorId);
        Assert.Contains("'sqs_queue'", noQueue.Message, StringComparison.Ordinal);
        Assert.Contains("-SqsQueue", noQueue.Message, StringComparison.Ordinal);
        Assert.Equal("given-queue", ExportSettingsMerge.MergePublish(S3Config with { SqsQueue = null }, new ExportOverrides { SqsQueue = "given-queue" })!.QueueName);

        var noBucket = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergePublish(S3Config with { S3Bucket = null }, ExportOverrides.None));
        Assert.Contains("'s3_bucket'", noBucket.Message, StringComparison.Ordinal);
        Assert.Equal("given-bucket", ExportSettingsMerge.MergePublish(S3Config with { S3Bucket = null }, new ExportOverrides { S3Bucket = "given-bucket" })!.Bucket);

        var noPrefix = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergePublish(S3Config with { S3FinalPath = null }, ExportOverrides.None));
        Assert.Contains("'s3_final_path'", noPrefix.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_S3OptionsWithoutABucket_AreRefusedByName()
    {
        var error = Assert.Throws<MemcacheException>(() => ExportSettingsMerge.MergePublish(FullConfig, new ExportOverrides { S3Prefix = "p", RemoveLocal = true }));
        Assert.Equal("S3BucketMissing", error.ErrorId);
        Assert.Contains("-S3Prefix, -RemoveLocal need -S3Bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_TheLocalPartOfAnS3Dump_IsTheSameAsWithoutIt()
    {
        var s3 = ExportSettingsMerge.MergeExport(S3Config, ExportOverrides.None);
        var plain = ExportSettingsMerge.MergeExport(S3Config with { IsS3Dump = false }, ExportOverrides.None);
        Assert.Equal(plain.Servers, s3.Servers);
        Assert.Equal(plain with { Servers = s3.Servers }, s3);
    }
}
