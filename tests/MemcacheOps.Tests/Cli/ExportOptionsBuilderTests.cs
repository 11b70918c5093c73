using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Commands;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Routing;

namespace MemcacheOps.Tests.Cli;

/// <summary>
/// <c>memcacheops export</c>'s options over a --config file, through the engine's shared merge: what the
/// command line gives wins (switches turned off with <c>--name=false</c> included), what it leaves out is the file's.
/// </summary>
public sealed class ExportOptionsBuilderTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("memcacheops-cli-config-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public void Switches_RecordAnExplicitFalse()
    {
        var args = Parse("--resume=false", "--force", "--regex=true");
        Assert.False(args.Switch("resume"));
        Assert.False(args.Flag("resume"));
        Assert.False(args.Has("resume"));
        Assert.True(args.Switch("force"));
        Assert.True(args.Switch("regex"));
        Assert.Null(args.Switch("remove-local"));
        Assert.True(Parse("--resume=false", "--resume").Switch("resume"));
        Assert.False(Parse("--resume", "--resume=false").Switch("resume"));
        Assert.Throws<UsageException>(() => Parse("--resume=maybe"));
    }

    [Fact]
    public void ResumeFalse_OverridesTheFilesCheckpointResume()
    {
        var config = Config("checkpoint_resume: true\n");
        Assert.True(Build("--config", config).Export.Resume);
        Assert.False(Build("--config", config, "--resume=false").Export.Resume);
    }

    [Fact]
    public void OptionsOverrideTheFile_AndOptionsLeftOutKeepIt()
    {
        var config = Config("threads: 6\nbulk_get_threshold: 30\nreq_id: \"nightly-7\"\n");
        var (export, publish) = Build("--config", config, "--connections", "12", "--path", "/dumps/given");

        Assert.Equal(12, export.Connections);
        Assert.Equal(30, export.BatchSize);
        Assert.Equal("nightly-7", export.RequestId);
        Assert.Equal("/dumps/given", export.Path);
        Assert.Equal([new ServerEndpoint("127.0.0.1", 11311)], export.Servers);
        Assert.Null(publish);
    }

    [Fact]
    public void RingServer_CompletesTheFilesDestIps_AndPointsRebuildItsRing()
    {
        var withDest = Config("dest_ips:\n  - \"10.0.0.2:11211\"\n");
        var ketamaFilter = Assert.IsType<OwnerFilter>(Build("--config", withDest, "--ring-server", "10.0.0.1:11211,10.0.0.2:11211").Export.OwnerFilter);
        var ketama = Assert.IsType<KetamaRing>(ketamaFilter.Lookup);
        Assert.Equal(2, ketama.Servers.Count);
        Assert.Equal([ServerEndpoint.Parse("10.0.0.2:11211")], ketamaFilter.KeepOwners);

        var full = Config("ketama_bucket_size: 100\nall_ips:\n  - \"10.0.0.1:11211\"\n  - \"10.0.0.2:11211\"\ndest_ips:\n  - \"10.0.0.2:11211\"\n");
        var rebuiltFilter = Assert.IsType<OwnerFilter>(Build("--config", full, "--points-per-server", "40", "--ring-form", "libmemcached").Export.OwnerFilter);
        var rebuilt = Assert.IsType<KetamaRing>(rebuiltFilter.Lookup);
        Assert.Equal(40, rebuilt.PointsPerServer);
        Assert.Equal(KetamaForm.Libmemcached, rebuilt.Form);
        Assert.Equal(2, rebuilt.Servers.Count);
    }

    [Fact]
    public void S3Prefix_OverridesTheFilesS3FinalPath_AndCredentialsComeFromTheCommandLine()
    {
        var config = Config("req_id: \"r1\"\nis_s3_dump: true\ns3_bucket: \"file-bucket\"\ns3_final_path: \"file/prefix\"\nsqs_queue: \"file-queue\"\n");
        var (_, publish) = Build("--config", config, "--s3-prefix", "given/prefix", "--region", "eu-west-1", "--sqs-endpoint-url", "http://127.0.0.1:1");

        Assert.NotNull(publish);
        Assert.Equal("file-bucket", publish.Bucket);
        Assert.Equal("given/prefix", publish.Prefix);
        Assert.Equal("file-queue", publish.QueueName);
        Assert.Equal("eu-west-1", publish.Cloud.Region);
        Assert.Equal("http://127.0.0.1:1", publish.EffectiveQueueCloud.EndpointUrl);
    }

    [Fact]
    public void WithoutServerOrFile_TheErrorNamesWhatIsMissing()
    {
        var error = Assert.Throws<MemcacheException>(() => Build("--path", "/dumps/x"));
        Assert.Equal("ServerRequired", error.ErrorId);
        var stray = Assert.Throws<MemcacheException>(() => Build("--server", "127.0.0.1", "--path", "/dumps/x", "--remove-local"));
        Assert.Equal("S3BucketMissing", stray.ErrorId);
        Assert.Null(Build("--server", "127.0.0.1", "--path", "/dumps/x", "--remove-local=false").Publish);
    }

    [Fact]
    public void Tls_and_the_credential_reach_the_server_a_config_file_names()
    {
        var password = Path.Combine(_folder.FullName, "password");
        File.WriteAllText(password, "secret\n");
        var export = Build("--config", Config(string.Empty), "--tls", "--tls-ca-file", "ca.pem", "--tls-server-name", "cache.example",
            "--username", "ops", "--password-file", password).Export;
        Assert.Equal("127.0.0.1:11311", Assert.Single(export.Servers).ToString());
        Assert.True(export.Connection.UsesTls(export.Servers[0]));
        Assert.Equal(Path.GetFullPath("ca.pem"), export.Connection.TlsCaFile);
        Assert.Equal("cache.example", export.Connection.TlsServerName);
        Assert.Equal("ops", export.Connection.Credential?.UserName);
        Assert.Equal("secret", export.Connection.Credential?.Password);
        Assert.DoesNotContain("secret", export.Connection.ToString(), StringComparison.Ordinal);
    }

    private string Config(string extra)
    {
        var file = Path.Combine(_folder.FullName, Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(file, "ip: \"127.0.0.1\"\nport: 11311\noutput_dir: \"/dumps/from-file\"\n" + extra);
        return file;
    }

    private static ParsedArguments Parse(params string[] args) => ArgumentParser.Parse(args, new ExportCommand().Options);

    private static (Engine.Export.ExportOptions Export, Engine.Distributed.ChunkPublishOptions? Publish) Build(params string[] args)
        => ExportOptionsBuilder.Build(Parse(args));
}
