using System.Text;
using MemcacheOps.Adapters.Config;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Tests.Adapters;

public sealed class CachemoverYamlReaderTests : IDisposable
{
    private const string SourcePath = "/configs/dump.yaml";

    // Shaped like cachemover's own example (test/test_config.yaml): a document marker, indented keys,
    // quoted strings, every key of its README.
    private const string ExampleConfig =
        "---\n"
        + " ip: \"127.0.0.1\"\n"
        + " port: 11211\n"
        + " threads: 4\n"
        + " bufsize: 2097152\n"
        + " memlimit: 20971520\n"
        + " key_file_size: 2097152\n"
        + " data_file_size: 2097152\n"
        + " output_dir: \"/tmp/test_dump/\"\n"
        + " bulk_get_threshold: 30\n"
        + " only_expire_after_s: 0\n"
        + " log_file_path: \"/tmp/native_dumper.log\"\n"
        + " req_id: \"native_test_s3_dump-20201216015312\"\n"
        + " checkpoint_resume: false\n"
        + " is_s3_dump: false\n"
        + " s3_bucket: \"evcache-test\"\n"
        + " s3_final_path: \"dump/native_test_s3_dump\"\n"
        + " sqs_queue: \"evcache-dump-chunks\"\n"
        + " ketama_bucket_size: 160\n"
        + " dest_ips:\n"
        + "   - \"1.1.1.1:11211\"\n"
        + "   - \"2.2.2.2:11211\"\n"
        + "   - \"3.3.3.3:11211\"\n"
        + " all_ips:\n"
        + "   - \"1.1.1.1:11211\"\n"
        + "   - \"1.2.3.4:11211\"\n"
        + "   - \"2.2.2.2:11211\"\n"
        + "   - \"2.3.4.5:11211\"\n"
        + "   - \"3.3.3.3:11211\"\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ReadsEveryKeyOfTheExampleConfig()
    {
        var config = CachemoverYamlReader.Parse(ExampleConfig, SourcePath);

        Assert.Equal(SourcePath, config.SourcePath);
        Assert.Equal("127.0.0.1", config.Ip);
        Assert.Equal(11211, config.Port);
        Assert.Equal(4, config.Threads);
        Assert.Equal(2097152L, config.BufSize);
        Assert.Equal(20971520L, config.MemLimit);
        Assert.Equal(2097152L, config.KeyFileSize);
        Assert.Equal(2097152L, config.DataFileSize);
        Assert.Equal("/tmp/test_dump/", config.OutputDir);
        Assert.Equal(30, config.BulkGetThreshold);
        Assert.Equal(0L, config.OnlyExpireAfterSeconds);
        Assert.Equal("/tmp/native_dumper.log", config.LogFilePath);
        Assert.Equal("native_test_s3_dump-20201216015312", config.ReqId);
        Assert.False(config.CheckpointResume);
        Assert.False(config.IsS3Dump);
        Assert.Equal("evcache-test", config.S3Bucket);
        Assert.Equal("dump/native_test_s3_dump", config.S3FinalPath);
        Assert.Equal("evcache-dump-chunks", config.SqsQueue);
        Assert.Equal(160, config.KetamaBucketSize);
        Assert.Equal(["1.1.1.1:11211", "2.2.2.2:11211", "3.3.3.3:11211"], config.DestIps!.Select(e => e.ToString()));
        Assert.Equal(["1.1.1.1:11211", "1.2.3.4:11211", "2.2.2.2:11211", "2.3.4.5:11211", "3.3.3.3:11211"],
            config.AllIps!.Select(e => e.ToString()));

        // Every key is present, and the file is one cachemover itself accepts.
        Assert.Equal(CachemoverKeys.All.Aggregate(CachemoverKey.None, (all, k) => all | k.Key), config.PresentKeys);
        config.Validate(CachemoverKey.CachemoverRequired);
    }

    [Fact]
    public void ReadsAFileFromDisk()
    {
        var path = Path.Combine(_folder, "dump.yaml");
        File.WriteAllText(path, ExampleConfig);

        var config = new CachemoverYamlReader().Read(path);

        Assert.Equal(path, config.SourcePath);
        Assert.Equal(11211, config.Port);
    }

    [Fact]
    public void KeysNotGivenStayNullAndDefaultsApply()
    {
        var config = CachemoverYamlReader.Parse("ip: 10.0.0.5\nport: 11311\noutput_dir: /data/dump\n", SourcePath);

        Assert.Null(config.Threads);
        Assert.Null(config.LogFilePath);
        Assert.Null(config.BulkGetThreshold);
        Assert.Null(config.IsS3Dump);
        Assert.Null(config.AllIps);
        Assert.Equal(30, config.EffectiveBulkGetThreshold);
        Assert.Equal(0L, config.EffectiveOnlyExpireAfterSeconds);
        Assert.False(config.EffectiveCheckpointResume);
        Assert.False(config.EffectiveIsS3Dump);
        Assert.Equal(CachemoverKey.Ip | CachemoverKey.Port | CachemoverKey.OutputDir, config.PresentKeys);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("True", true)]
    [InlineData("on", true)]
    [InlineData("false", false)]
    [InlineData("NO", false)]
    [InlineData("off", false)]
    public void ReadsBooleansTheWayYamlCppDoes(string text, bool expected)
    {
        var config = CachemoverYamlReader.Parse($"checkpoint_resume: {text}\n", SourcePath);
        Assert.Equal(expected, config.CheckpointResume);
    }

    [Fact]
    public void AcceptsQuotedNumbersAndFlowLists()
    {
        // yaml-cpp converts quoted scalars to numbers, so cachemover files may quote them.
        var config = CachemoverYamlReader.Parse("port: \"11211\"\nall_ips: [\"10.0.0.1:11211\", '[::1]:11212']\n", SourcePath);

        Assert.Equal(11211, config.Port);
        Assert.Equal([new ServerEndpoint("10.0.0.1", 11211), new ServerEndpoint("::1", 11212)], config.AllIps);
    }

    [Fact]
    public void AcceptsCommentsAndAnEmptyFinalPath()
    {
        var config = CachemoverYamlReader.Parse("# dump settings\nip: cache-7.internal # the source\ns3_final_path: \"\"\n", SourcePath);

        Assert.Equal("cache-7.internal", config.Ip);
        Assert.Equal(string.Empty, config.S3FinalPath);
    }

    // Each case: the file, the line and column the error must name, and words the message must contain.
    [Theory]
    [InlineData("ip: 10.0.0.1\nprot: 11211\n", 2, 1, "unknown key 'prot' (did you mean 'port'?)")]
    [InlineData("ip: 10.0.0.1\nbucket_size: 3\n", 2, 1, "unknown key 'bucket_size'")]
    [InlineData("IP: 10.0.0.1\n", 1, 1, "unknown key 'IP' (did you mean 'ip'?)")]
    [InlineData("ip: 10.0.0.1\nport: abc\n", 2, 7, "key 'port' expects a port number from 1 to 65535, but has 'abc'")]
    [InlineData("port: 70000\n", 1, 7, "key 'port' expects a port number from 1 to 65535, but has '70000'")]
    [InlineData("port: 112.5\n", 1, 7, "key 'port' expects a port number")]
    [InlineData("threads: 0\n", 1, 10, "key 'threads' expects a whole number from 1 to 1024, but has '0'")]
    [InlineData("\n\nbufsize: -1\n", 3, 10, "key 'bufsize' expects a size in bytes")]
    [InlineData("memlimit: 99999999999999999999\n", 1, 11, "key 'memlimit' expects a size in bytes")]
    [InlineData("only_expire_after_s: -5\n", 1, 22, "key 'only_expire_after_s' expects a number of seconds from 0")]
    [InlineData("is_s3_dump: maybe\n", 1, 13, "key 'is_s3_dump' expects true or false, but has 'maybe'")]
    [InlineData("ip:\nport: 1\n", 1, 4, "key 'ip' has no value")]
    [InlineData("port: ~\n", 1, 7, "key 'port' has no value")]
    [InlineData("ip: \"\"\n", 1, 5, "key 'ip' expects a host name or IP address")]
    [InlineData("ip: 10.0.0.1:11211\n", 1, 5, "contains ':'")]
    [InlineData("output_dir: \"  \"\n", 1, 13, "key 'output_dir' expects a non-empty text, but has '  ': it is empty")]
    [InlineData("req_id: \"a\\tb\"\n", 1, 9, "it contains a control character")]
    [InlineData("s3_bucket: my/bucket\n", 1, 12, "key 's3_bucket' expects an S3 bucket name")]
    [InlineData("sqs_queue: \"queue name\"\n", 1, 12, "key 'sqs_queue' expects an SQS queue name")]
    [InlineData("ip: [10.0.0.1]\n", 1, 5, "key 'ip' expects a host name or IP address, but has a list")]
    [InlineData("port:\n  number: 1\n", 2, 3, "key 'port' expects a port number from 1 to 65535, but has a mapping")]
    [InlineData("all_ips: 10.0.0.1:11211\n", 1, 10, "key 'all_ips' expects a list of \"ip:port\" strings")]
    [InlineData("all_ips:\n", 1, 9, "key 'all_ips' has no value")]
    [InlineData("all_ips:\n  - 10.0.0.1:11211\n  - 10.0.0.2\n", 3, 5, "'10.0.0.2' is not: the port is missing")]
    [InlineData("dest_ips:\n  - 10.0.0.1:99999\n", 2, 5, "an entry of 'dest_ips' must be an \"ip:port\" string")]
    [InlineData("dest_ips:\n  - [a, b]\n", 2, 5, "an entry of 'dest_ips' must be an \"ip:port\" string, but this one is a list")]
    [InlineData("all_ips:\n  - 10.0.0.1:11211\n  - 10.0.0.1:11211\n", 3, 5, "lists '10.0.0.1:11211' a second time (first at line 2)")]
    [InlineData("port: 1\nip: a\nport: 2\n", 3, 1, "key 'port' appears more than once; keep one")]
    [InlineData("? [a, b]\n: 1\n", 1, 3, "a key must be a plain name")]
    [InlineData("ip: 10.0.0.1\nport: [1, 2\n", 3, 1, "not valid YAML")]
    [InlineData("ip: \"10.0.0.1\n", 1, 5, "not valid YAML: While scanning a quoted scalar, found unexpected end of stream.")]
    [InlineData("- ip: 10.0.0.1\n", 1, 1, "the top level must map keys to values")]
    [InlineData("just text\n", 1, 1, "the top level must map keys to values")]
    [InlineData("ip: a\n---\nip: b\n", 3, 1, "more than one YAML document")]
    public void RejectsBadFilesNamingLineColumnAndKey(string yaml, int line, int column, string expected)
    {
        var ex = Assert.Throws<MemcacheException>(() => CachemoverYamlReader.Parse(yaml, SourcePath));

        Assert.Equal(MemcacheErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal("ConfigInvalid", ex.ErrorId);
        Assert.Equal(SourcePath, ex.Target);
        Assert.StartsWith($"Configuration file '{SourcePath}', line {line}, column {column}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    public void RejectsAnEmptyFile(string yaml)
    {
        var ex = Assert.Throws<MemcacheException>(() => CachemoverYamlReader.Parse(yaml, SourcePath));

        Assert.Equal("ConfigInvalid", ex.ErrorId);
        Assert.Contains("the file is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKeyErrorListsTheKnownKeys()
    {
        var ex = Assert.Throws<MemcacheException>(() => CachemoverYamlReader.Parse("compression: zstd\n", SourcePath));

        Assert.DoesNotContain("did you mean", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the keys are: ip, port, threads, bufsize", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsReportedWithItsFullPath()
    {
        var path = Path.Combine(_folder, "absent.yaml");

        var ex = Assert.Throws<MemcacheException>(() => new CachemoverYamlReader().Read(path));

        Assert.Equal("ConfigFileNotFound", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal(path, ex.Target);
        Assert.Contains($"'{path}' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderIsNotAConfigurationFile()
    {
        var ex = Assert.Throws<MemcacheException>(() => new CachemoverYamlReader().Read(_folder));

        Assert.Equal("ConfigFileNotFound", ex.ErrorId);
        Assert.Contains("is a folder, not a file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotUtf8IsReported()
    {
        var path = Path.Combine(_folder, "latin1.yaml");
        File.WriteAllBytes(path, [.. "ip: caf"u8, 0xE9, (byte)'\n']);

        var ex = Assert.Throws<MemcacheException>(() => new CachemoverYamlReader().Read(path));

        Assert.Equal("ConfigInvalid", ex.ErrorId);
        Assert.Contains("is not UTF-8 text", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnreadableFileIsReported()
    {
        var path = Path.Combine(_folder, "locked.yaml");
        File.WriteAllText(path, "ip: a\n");
        // Holding the file open without sharing makes reading it fail on every platform, even as root.
        using var holder = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);

        var ex = Assert.Throws<MemcacheException>(() => new CachemoverYamlReader().Read(path));

        Assert.Equal("ConfigFileUnreadable", ex.ErrorId);
        Assert.Equal(MemcacheErrorKind.ResourceUnavailable, ex.Kind);
        Assert.Contains($"'{path}' cannot be read", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOversizedFileIsRefusedBeforeParsing()
    {
        var path = Path.Combine(_folder, "huge.yaml");
        File.WriteAllText(path, "# " + new string('x', CachemoverYamlReader.MaxFileBytes) + "\n", Encoding.UTF8);

        var ex = Assert.Throws<MemcacheException>(() => new CachemoverYamlReader().Read(path));

        Assert.Equal("ConfigInvalid", ex.ErrorId);
        Assert.Contains("more than a configuration can need", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateListsEveryMissingRequiredKey()
    {
        var config = CachemoverYamlReader.Parse("ip: 10.0.0.1\nport: 11211\noutput_dir: /d\n", SourcePath);

        var ex = Assert.Throws<MemcacheException>(() => config.Validate(CachemoverKey.CachemoverRequired));

        Assert.Equal("ConfigInvalid", ex.ErrorId);
        Assert.Equal(SourcePath, ex.Target);
        Assert.Contains("the required keys threads, bufsize, memlimit, key_file_size, data_file_size, log_file_path, req_id are missing",
            ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateAcceptsAFileWithoutKeysTheOperationDoesNotNeed()
    {
        // A MemcacheOps export needs a server and a folder, not cachemover's log file or buffer sizes.
        var config = CachemoverYamlReader.Parse("ip: 10.0.0.1\nport: 11211\noutput_dir: /d\n", SourcePath);

        config.Validate(CachemoverKey.Ip | CachemoverKey.Port | CachemoverKey.OutputDir);
    }

    [Fact]
    public void ValidateChecksValuesThatParametersOverrode()
    {
        var config = CachemoverYamlReader.Parse(ExampleConfig, SourcePath) with { Port = 0, SqsQueue = "bad queue" };

        var ex = Assert.Throws<MemcacheException>(() => config.Validate(CachemoverKey.None));

        Assert.Contains("'port' expects a port number from 1 to 65535, but it is 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'sqs_queue' expects an SQS queue name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRequiresBucketPathQueueAndRequestIdForS3Dumps()
    {
        var config = CachemoverYamlReader.Parse("is_s3_dump: true\ns3_bucket: chunks\n", SourcePath);

        var ex = Assert.Throws<MemcacheException>(() => config.Validate(CachemoverKey.None));

        Assert.Contains("is_s3_dump is true, which needs s3_final_path, sqs_queue, req_id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRequiresAllIpsAndBucketSizeForDestIps()
    {
        var config = CachemoverYamlReader.Parse("dest_ips:\n  - 10.0.0.1:11211\n", SourcePath);

        var ex = Assert.Throws<MemcacheException>(() => config.Validate(CachemoverKey.None));

        Assert.Contains("dest_ips needs all_ips", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dest_ips needs ketama_bucket_size", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRejectsDestinationsOutsideTheRing()
    {
        var config = CachemoverYamlReader.Parse(
            "ketama_bucket_size: 160\nall_ips: [\"10.0.0.1:11211\", \"10.0.0.2:11211\"]\ndest_ips: [\"10.0.0.3:11211\"]\n", SourcePath);

        var ex = Assert.Throws<MemcacheException>(() => config.Validate(CachemoverKey.None));

        Assert.Contains("dest_ips lists 10.0.0.3:11211, which all_ips does not contain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateRejectsAMemoryLimitBelowTheBuffers()
    {
        var config = CachemoverYamlReader.Parse("threads: 4\nbufsize: 1000\nmemlimit: 7999\n", SourcePath);

        var ex = Assert.Throws<MemcacheException>(() => config.Validate(CachemoverKey.None));

        Assert.Contains("memlimit 7999 is less than bufsize x threads x 2 = 8000 bytes", ex.Message, StringComparison.Ordinal);
    }
}
