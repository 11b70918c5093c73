using MemcacheOps.Engine.Compare;
using System.Reflection;
using System.Text.RegularExpressions;
using MemcacheOps.Cli.Commands;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Discovery;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.KeySources;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Move;
using MemcacheOps.Engine.Routing;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Engine.Verification.NodeChecks;
using MemcacheOps.Engine.Verification.Latency;
using MemcacheOps.ModuleBuilder.Metadata;

namespace MemcacheOps.Tests.Module;

/// <summary>
/// Contracts every compiled cmdlet keeps, read by metadata from the built MemcacheOps.Cmdlets.dll, so a new
/// cmdlet is checked the moment it compiles: naming, [OutputType], unambiguous parameter sets with pipeline
/// input, ShouldProcess where state changes, a CLI option for every parameter, and an engine option for every
/// parameter (the reviewed table below).
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed partial class CmdletContractTests(ModuleFixture module)
{
    /// <summary>The CLI verb of each cmdlet. A cmdlet missing here, or whose verb the CLI lacks, fails.</summary>
    private static readonly Dictionary<string, string> CliVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Get-MemcacheStats"] = "stats",
        ["Get-MemcacheKeys"] = "keys",
        ["Export-MemcacheData"] = "export",
        ["Import-MemcacheData"] = "import",
        ["Move-MemcacheNode"] = "move",
        ["Compare-MemcacheData"] = "compare",
        ["Test-MemcacheNode"] = "test",
        ["Measure-MemcacheLatency"] = "latency",
        ["Get-MemcacheCluster"] = "cluster",
    };

    /// <summary>Parameters that exist only in PowerShell, with the reason the CLI has no option for them.</summary>
    private static readonly Dictionary<string, string> PowerShellOnlyParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["InputObject"] = "objects from the pipeline; the CLI names its inputs with options",
        ["Credential"] = "a PSCredential; the CLI takes --username with the password from --password-file or MEMCACHEOPS_PASSWORD, never from the command line",
    };

    /// <summary>PowerShell verbs that change state: their cmdlets must support -WhatIf/-Confirm.</summary>
    private static readonly HashSet<string> StateChangingVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "Export", "Import", "Move", "Copy", "Set", "New", "Add", "Remove", "Clear", "Reset", "Restore", "Sync", "Publish", "Invoke", "Start", "Stop",
    };

    /// <summary>ConfirmImpact per state-changing verb (see docs: Export Low, Import Medium, Move High when it overwrites or deletes).</summary>
    private static readonly Dictionary<string, string[]> ConfirmImpacts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Export"] = ["Low"],
        ["Import"] = ["Medium"],
        ["Move"] = ["Medium", "High"],
    };

    /// <summary>Parameters declared by the common base class, for every cmdlet.</summary>
    private const string BaseCmdlet = "MemcacheOps.Cmdlets.Infrastructure.MemcacheCmdlet";

    /// <summary>The AWS.Tools credential and endpoint parameters of the cmdlets that reach S3 and SQS.</summary>
    private static readonly Dictionary<string, (Type Type, string Member)> CloudParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ProfileName"] = (typeof(CloudOptions), nameof(CloudOptions.ProfileName)),
        ["ProfileLocation"] = (typeof(CloudOptions), nameof(CloudOptions.ProfileLocation)),
        ["Region"] = (typeof(CloudOptions), nameof(CloudOptions.Region)),
        ["AccessKey"] = (typeof(CloudOptions), nameof(CloudOptions.AccessKey)),
        ["SecretKey"] = (typeof(CloudOptions), nameof(CloudOptions.SecretKey)),
        ["SessionToken"] = (typeof(CloudOptions), nameof(CloudOptions.SessionToken)),
        ["EndpointUrl"] = (typeof(CloudOptions), nameof(CloudOptions.EndpointUrl)),
    };

    /// <summary>The placement parameters of every cmdlet that places or filters keys by owner.</summary>
    private static readonly Dictionary<string, (Type Type, string Member)> RingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["RingForm"] = (typeof(RingOptions), nameof(RingOptions.Form)),
        ["PointsPerServer"] = (typeof(RingOptions), nameof(RingOptions.PointsPerServer)),
        ["HashSalt"] = (typeof(RingOptions), nameof(RingOptions.HashSalt)),
        ["HashWeight"] = (typeof(RingOptions), nameof(RingOptions.Weights)),
    };

    /// <summary>
    /// The reviewed map of every cmdlet parameter to the engine option with the same meaning:
    /// (cmdlet, parameter) -> (engine type, property / field / constructor parameter, or the method that
    /// reads what the parameter names, such as a configuration file). Key "*" holds the base class's
    /// parameters. A new parameter without an entry fails, and so does an entry whose member is gone.
    /// </summary>
    private static readonly Dictionary<string, Dictionary<string, (Type Type, string Member)>> EngineOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["*"] = new(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectTimeout"] = (typeof(ConnectionOptions), nameof(ConnectionOptions.ConnectTimeout)),
            ["Timeout"] = (typeof(ConnectionOptions), nameof(ConnectionOptions.ReadTimeout)),
            ["Tls"] = (typeof(ConnectionOptions), nameof(ConnectionOptions.Tls)),
            ["TlsServerName"] = (typeof(ConnectionOptions), nameof(ConnectionOptions.TlsServerName)),
            ["TlsCaFile"] = (typeof(ConnectionOptions), nameof(ConnectionOptions.TlsCaFile)),
            ["TlsClientCertificateFile"] = (typeof(ConnectionOptions), nameof(ConnectionOptions.TlsClientCertificateFile)),
            ["TlsClientKeyFile"] = (typeof(ConnectionOptions), nameof(ConnectionOptions.TlsClientKeyFile)),
            ["SkipCertificateCheck"] = (typeof(ConnectionOptions), nameof(ConnectionOptions.SkipCertificateCheck)),
            ["Credential"] = (typeof(ConnectionOptions), nameof(ConnectionOptions.Credential)),
        },
        ["Measure-MemcacheLatency"] = new(StringComparer.OrdinalIgnoreCase)
        {
            ["Server"] = (typeof(LatencyOptions), nameof(LatencyOptions.Servers)),
            ["TargetRate"] = (typeof(LatencyOptions), nameof(LatencyOptions.TargetRate)),
            ["Duration"] = (typeof(LatencyOptions), nameof(LatencyOptions.Duration)),
            ["Connections"] = (typeof(LatencyOptions), nameof(LatencyOptions.Connections)),
            ["Pipeline"] = (typeof(LatencyOptions), nameof(LatencyOptions.Pipeline)),
            ["Mix"] = (typeof(LatencyOptions), nameof(LatencyOptions.Mix)),
            ["KeyCount"] = (typeof(LatencyOptions), nameof(LatencyOptions.KeyCount)),
            ["KeyDistribution"] = (typeof(LatencyOptions), nameof(LatencyOptions.KeyDistribution)),
            ["ValueSize"] = (typeof(LatencyOptions), nameof(LatencyOptions.ValueSize)),
            ["TimeToLive"] = (typeof(LatencyOptions), nameof(LatencyOptions.TimeToLive)),
            ["VerifyPercent"] = (typeof(LatencyOptions), nameof(LatencyOptions.VerifyPercent)),
            ["IntervalSeconds"] = (typeof(LatencyOptions), nameof(LatencyOptions.Interval)),
            ["HistogramPath"] = (typeof(LatencyOptions), nameof(LatencyOptions.HistogramPath)),
            ["MaxP99Milliseconds"] = (typeof(LatencyOptions), nameof(LatencyOptions.MaxP99Milliseconds)),
            ["MinRate"] = (typeof(LatencyOptions), nameof(LatencyOptions.MinRate)),
            ["MaxErrorRate"] = (typeof(LatencyOptions), nameof(LatencyOptions.MaxErrorRate)),
        },
        ["Get-MemcacheStats"] = new(StringComparer.OrdinalIgnoreCase)
        {
            ["Server"] = (typeof(StatsOptions), nameof(StatsOptions.Servers)),
            ["Group"] = (typeof(StatsOptions), nameof(StatsOptions.Group)),
            ["Interval"] = (typeof(StatsOptions), nameof(StatsOptions.Interval)),
            ["Count"] = (typeof(StatsOptions), nameof(StatsOptions.Count)),
        },
        ["Get-MemcacheKeys"] = new(StringComparer.OrdinalIgnoreCase)
        {
            ["Server"] = (typeof(KeyListingRequest), nameof(KeyListingRequest.Servers)),
            ["Pattern"] = (typeof(KeyFilter), "pattern"),
            ["Regex"] = (typeof(KeyFilter), "patternIsRegex"),
            ["Exclude"] = (typeof(KeyFilter), "excludePattern"),
            ["SlabClass"] = (typeof(KeyFilter), "slabClasses"),
            ["ExpiringBefore"] = (typeof(KeyFilter), "expiringBefore"),
            ["ExpiringAfter"] = (typeof(KeyFilter), "expiringAfter"),
            ["First"] = (typeof(KeyListingRequest), nameof(KeyListingRequest.First)),
            ["CountOnly"] = (typeof(KeyListingRequest), nameof(KeyListingRequest.CountOnly)),
            ["Method"] = (typeof(ListingOptions), nameof(ListingOptions.Method)),
            ["SpillDirectory"] = (typeof(ListingOptions), nameof(ListingOptions.SpillDirectory)),
        },
        ["Export-MemcacheData"] = WithRingParameters(WithCloudParameters(new(StringComparer.OrdinalIgnoreCase)
        {
            ["Server"] = (typeof(ExportOptions), nameof(ExportOptions.Servers)),
            ["Path"] = (typeof(ExportOptions), nameof(ExportOptions.Path)),
            // The file is read by the adapters' reader and merged with the parameters by ExportSettingsMerge.
            ["ConfigFile"] = (typeof(IConfigFileReader), nameof(IConfigFileReader.Read)),
            ["Connections"] = (typeof(ExportOptions), nameof(ExportOptions.Connections)),
            ["BatchSize"] = (typeof(ExportOptions), nameof(ExportOptions.BatchSize)),
            ["Window"] = (typeof(ExportOptions), nameof(ExportOptions.Window)),
            ["MemoryLimit"] = (typeof(ExportOptions), nameof(ExportOptions.MemoryLimit)),
            ["KeyFileSize"] = (typeof(ExportOptions), nameof(ExportOptions.KeyFileSize)),
            ["DataFileSize"] = (typeof(ExportOptions), nameof(ExportOptions.DataFileSize)),
            ["OnlyExpireAfter"] = (typeof(ExportOptions), nameof(ExportOptions.OnlyExpireAfterSeconds)),
            ["RequestId"] = (typeof(ExportOptions), nameof(ExportOptions.RequestId)),
            ["Resume"] = (typeof(ExportOptions), nameof(ExportOptions.Resume)),
            ["Force"] = (typeof(ExportOptions), nameof(ExportOptions.Force)),
            ["Include"] = (typeof(KeyFilter), "pattern"),
            ["Exclude"] = (typeof(KeyFilter), "excludePattern"),
            // Applies to both patterns (excludeIsRegex too).
            ["Regex"] = (typeof(KeyFilter), "patternIsRegex"),
            ["RingServer"] = (typeof(IOwnerLookup), nameof(IOwnerLookup.Servers)),
            ["DestinationServer"] = (typeof(OwnerFilter), nameof(OwnerFilter.KeepOwners)),
            ["Key"] = (typeof(ExportOptions), nameof(ExportOptions.Keys)),
            ["KeyFile"] = (typeof(KeySource), nameof(KeySource.FromFile)),
            ["Layout"] = (typeof(ExportOptions), nameof(ExportOptions.Layout)),
            ["Checksum"] = (typeof(ExportOptions), nameof(ExportOptions.Checksum)),
            ["MaxOpsPerSecond"] = (typeof(ExportOptions), nameof(ExportOptions.MaxOperationsPerSecond)),
            ["MaxBytesPerSecond"] = (typeof(ExportOptions), nameof(ExportOptions.MaxBytesPerSecond)),
            ["Method"] = (typeof(ListingOptions), nameof(ListingOptions.Method)),
            ["S3Bucket"] = (typeof(ChunkPublishOptions), nameof(ChunkPublishOptions.Bucket)),
            ["S3Prefix"] = (typeof(ChunkPublishOptions), nameof(ChunkPublishOptions.Prefix)),
            ["SqsQueue"] = (typeof(ChunkPublishOptions), nameof(ChunkPublishOptions.QueueName)),
            ["RemoveLocal"] = (typeof(ChunkPublishOptions), nameof(ChunkPublishOptions.RemoveLocal)),
            ["SqsEndpointUrl"] = (typeof(ChunkPublishOptions), nameof(ChunkPublishOptions.QueueCloud)),
        })),
        ["Get-MemcacheCluster"] = new(StringComparer.OrdinalIgnoreCase)
        {
            ["DiscoveryEndpoint"] = (typeof(DiscoveryOptions), nameof(DiscoveryOptions.DiscoveryEndpoints)),
        },
        ["Move-MemcacheNode"] = WithRingParameters(new(StringComparer.OrdinalIgnoreCase)
        {
            ["Source"] = (typeof(MoveOptions), nameof(MoveOptions.Sources)),
            ["Destination"] = (typeof(MoveOptions), nameof(MoveOptions.Destinations)),
            ["RingServer"] = (typeof(MoveOptions), nameof(MoveOptions.RingServers)),
            ["OldRingServer"] = (typeof(MoveOptions), nameof(MoveOptions.OldRingServers)),
            ["OnlyMoved"] = (typeof(MoveOptions), nameof(MoveOptions.OnlyMoved)),
            ["Mode"] = (typeof(MoveOptions), nameof(MoveOptions.Mode)),
            ["SyncDeletes"] = (typeof(MoveOptions), nameof(MoveOptions.SyncDeletes)),
            ["Passes"] = (typeof(MoveOptions), nameof(MoveOptions.Passes)),
            ["ChangeThreshold"] = (typeof(MoveOptions), nameof(MoveOptions.ChangeThreshold)),
            ["Deadline"] = (typeof(MoveOptions), nameof(MoveOptions.Deadline)),
            ["Continuous"] = (typeof(MoveOptions), nameof(MoveOptions.Continuous)),
            ["PassInterval"] = (typeof(MoveOptions), nameof(MoveOptions.PassInterval)),
            ["MaxOpsPerSecond"] = (typeof(MoveOptions), nameof(MoveOptions.MaxOperationsPerSecond)),
            ["MaxBytesPerSecond"] = (typeof(MoveOptions), nameof(MoveOptions.MaxBytesPerSecond)),
            ["Force"] = (typeof(MoveOptions), nameof(MoveOptions.Force)),
            ["EvictionPolicy"] = (typeof(MoveOptions), nameof(MoveOptions.EvictionPolicy)),
            ["Connections"] = (typeof(MoveOptions), nameof(MoveOptions.Connections)),
            ["BatchSize"] = (typeof(MoveOptions), nameof(MoveOptions.BatchSize)),
            ["Window"] = (typeof(MoveOptions), nameof(MoveOptions.Window)),
            ["Key"] = (typeof(MoveOptions), nameof(MoveOptions.Keys)),
            ["KeyFile"] = (typeof(KeySource), nameof(KeySource.FromFile)),
        }),
        ["Compare-MemcacheData"] = WithRingParameters(new(StringComparer.OrdinalIgnoreCase)
        {
            ["Reference"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.Reference)),
            ["Difference"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.Difference)),
            ["ReferencePath"] = (typeof(CompareSide), nameof(CompareSide.FromPath)),
            ["DifferencePath"] = (typeof(CompareSide), nameof(CompareSide.FromPath)),
            ["Sample"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.Sample)),
            ["Summary"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.Summary)),
            ["TtlTolerance"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.TtlTolerance)),
            ["Connections"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.Connections)),
            ["BatchSize"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.BatchSize)),
            ["Window"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.Window)),
            ["MaxOpsPerSecond"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.MaxOperationsPerSecond)),
            ["MaxBytesPerSecond"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.MaxBytesPerSecond)),
            ["Key"] = (typeof(ComparisonOptions), nameof(ComparisonOptions.Keys)),
            ["KeyFile"] = (typeof(KeySource), nameof(KeySource.FromFile)),
        }),
        ["Test-MemcacheNode"] = new(StringComparer.OrdinalIgnoreCase)
        {
            ["Server"] = (typeof(NodeTestOptions), nameof(NodeTestOptions.Servers)),
            ["IncludeSlow"] = (typeof(NodeTestOptions), nameof(NodeTestOptions.IncludeSlow)),
            ["Destructive"] = (typeof(NodeTestOptions), nameof(NodeTestOptions.Destructive)),
            ["Quiet"] = (typeof(NodeTestOptions), nameof(NodeTestOptions.SummaryOnly)),
        },
        ["Import-MemcacheData"] = WithRingParameters(WithCloudParameters(new(StringComparer.OrdinalIgnoreCase)
        {
            ["Path"] = (typeof(ImportOptions), nameof(ImportOptions.Paths)),
            ["BucketName"] = (typeof(ObjectLocation), "bucket"),
            ["Key"] = (typeof(ObjectLocation), "key"),
            ["SqsQueue"] = (typeof(QueueConsumerOptions), nameof(QueueConsumerOptions.QueueName)),
            ["S3Bucket"] = (typeof(QueueConsumerOptions), nameof(QueueConsumerOptions.Buckets)),
            ["S3Prefix"] = (typeof(QueueConsumerOptions), nameof(QueueConsumerOptions.KeyPrefix)),
            ["MaxReceiveCount"] = (typeof(QueueConsumerOptions), nameof(QueueConsumerOptions.MaxReceiveCount)),
            ["IdleTimeout"] = (typeof(QueueConsumerOptions), nameof(QueueConsumerOptions.IdleTimeout)),
            ["VisibilityTimeout"] = (typeof(QueueConsumerOptions), nameof(QueueConsumerOptions.VisibilityTimeout)),
            ["WorkFolder"] = (typeof(S3ImportOptions), nameof(S3ImportOptions.WorkFolder)),
            ["Server"] = (typeof(ImportOptions), nameof(ImportOptions.Servers)),
            ["Mode"] = (typeof(ImportOptions), nameof(ImportOptions.Mode)),
            ["SkipChecksum"] = (typeof(ImportOptions), nameof(ImportOptions.SkipChecksum)),
            ["MinimumTtl"] = (typeof(ImportOptions), nameof(ImportOptions.MinimumTtl)),
            ["TtlOverride"] = (typeof(ImportOptions), nameof(ImportOptions.TtlOverride)),
            ["AllowIncomplete"] = (typeof(ImportOptions), nameof(ImportOptions.AllowIncomplete)),
            ["Connections"] = (typeof(ImportOptions), nameof(ImportOptions.Connections)),
            ["BatchSize"] = (typeof(ImportOptions), nameof(ImportOptions.BatchSize)),
            ["Window"] = (typeof(ImportOptions), nameof(ImportOptions.Window)),
            ["FileParallelism"] = (typeof(ImportOptions), nameof(ImportOptions.FileParallelism)),
            ["MaxOpsPerSecond"] = (typeof(ImportOptions), nameof(ImportOptions.MaxOperationsPerSecond)),
            ["MaxBytesPerSecond"] = (typeof(ImportOptions), nameof(ImportOptions.MaxBytesPerSecond)),
            ["SqsEndpointUrl"] = (typeof(QueueConsumerOptions), nameof(QueueConsumerOptions.QueueCloud)),
        })),
    };

    private static Dictionary<string, (Type Type, string Member)> WithRingParameters(Dictionary<string, (Type Type, string Member)> own)
    {
        foreach (var (name, target) in RingParameters)
            own.Add(name, target);
        return own;
    }

    private static Dictionary<string, (Type Type, string Member)> WithCloudParameters(Dictionary<string, (Type Type, string Member)> own)
    {
        foreach (var (name, target) in CloudParameters)
            own.Add(name, target);
        return own;
    }

    public static TheoryData<string> CmdletNames() => HelpTests.CmdletNames();

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void ClassName_IsVerbNounCommand(string name)
    {
        var cmdlet = Cmdlet(name);
        Assert.Equal(cmdlet.Verb + cmdlet.Noun + "Command", cmdlet.ClassName);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void OutputType_IsDeclared(string name)
        => Assert.NotEmpty(Cmdlet(name).OutputTypes);

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void ParameterSets_HaveUniquePositions_AndPipelineInput(string name)
    {
        var cmdlet = Cmdlet(name);
        foreach (var set in cmdlet.EffectiveParameterSets)
        {
            var inSet = cmdlet.ParametersIn(set).ToList();
            var positions = inSet.Where(p => p.Binding.Position is not null).GroupBy(p => p.Binding.Position).Where(g => g.Count() > 1).ToList();
            Assert.True(positions.Count == 0, $"{name} set {set}: position {positions.FirstOrDefault()?.Key} is used by {string.Join(", ", positions.SelectMany(g => g).Select(p => p.Parameter.Name))}");
            Assert.True(inSet.Any(p => p.Binding.IsPipelineBindable), $"{name} set {set}: no parameter takes pipeline input (ValueFromPipeline or ValueFromPipelineByPropertyName)");
        }
        if (cmdlet.ExplicitParameterSets.Count > 1)
            Assert.Contains(cmdlet.DefaultParameterSetName, cmdlet.ExplicitParameterSets);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void ParameterSets_AreUnambiguous(string name)
    {
        var cmdlet = Cmdlet(name);
        var signatures = cmdlet.EffectiveParameterSets.Select(set => (Set: set, Signature: MandatorySignature(cmdlet, set))).ToList();
        foreach (var group in signatures.GroupBy(s => s.Signature, StringComparer.Ordinal).Where(g => g.Count() > 1))
            Assert.Fail($"{name}: parameter sets {string.Join(" and ", group.Select(g => g.Set))} have the same mandatory parameters ({group.Key}); PowerShell cannot tell them apart.");
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void StateChangingVerbs_SupportShouldProcess(string name)
    {
        var cmdlet = Cmdlet(name);
        if (!StateChangingVerbs.Contains(cmdlet.Verb))
            return;
        Assert.True(cmdlet.SupportsShouldProcess, $"{name} changes state: add SupportsShouldProcess = true to its [Cmdlet] attribute.");
        if (ConfirmImpacts.TryGetValue(cmdlet.Verb, out var impacts))
            Assert.Contains(cmdlet.ConfirmImpact, impacts);
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void EveryParameter_HasACliOption(string name)
    {
        var cmdlet = Cmdlet(name);
        Assert.True(CliVerbs.TryGetValue(name, out var verb), $"{name} has no CLI verb in the map of {nameof(CmdletContractTests)}.");
        var command = CommandCatalog.Find(verb!);
        Assert.True(command is not null, $"{name} maps to the CLI verb '{verb}', which the CLI does not have (CommandCatalog.All).");
        var options = command!.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var parameter in cmdlet.Parameters.Where(p => !PowerShellOnlyParameters.ContainsKey(p.Name)))
        {
            var option = Kebab(parameter.Name);
            Assert.True(options.Contains(option), $"{name} -{parameter.Name}: 'memcacheops {verb}' has no --{option} option (name or alias).");
        }
    }

    [Theory]
    [MemberData(nameof(CmdletNames))]
    public void EveryParameter_MapsToAnEngineOption(string name)
    {
        var cmdlet = Cmdlet(name);
        Assert.True(EngineOptions.TryGetValue(name, out var own), $"{name} has no entry in the engine option map of {nameof(CmdletContractTests)}.");
        foreach (var parameter in cmdlet.Parameters.Where(p => !PowerShellOnlyParameters.ContainsKey(p.Name)))
        {
            var table = parameter.DeclaringTypeFullName == BaseCmdlet ? EngineOptions["*"] : own!;
            Assert.True(table.TryGetValue(parameter.Name, out var target), $"{name} -{parameter.Name} is not in the engine option map: add the engine option it sets.");
            Assert.True(HasMember(target.Type, target.Member), $"{name} -{parameter.Name} maps to {target.Type.Name}.{target.Member}, which does not exist.");
        }
        foreach (var mapped in own!.Keys)
            Assert.True(cmdlet.Parameters.Any(p => string.Equals(p.Name, mapped, StringComparison.OrdinalIgnoreCase)), $"{name} has no parameter -{mapped} any more: remove it from the engine option map.");
    }

    [Fact]
    public void BaseParameters_AreMappedOnce()
    {
        var declared = module.Cmdlets.SelectMany(c => c.Parameters).Where(p => p.DeclaringTypeFullName == BaseCmdlet).Select(p => p.Name).Distinct().Order().ToList();
        Assert.Equal(declared, EngineOptions["*"].Keys.Order().ToList());
        foreach (var (type, member) in EngineOptions["*"].Values)
            Assert.True(HasMember(type, member), $"{type.Name}.{member}");
    }

    [Theory]
    [InlineData("Server", "server")]
    [InlineData("ConnectTimeout", "connect-timeout")]
    [InlineData("ExpiringBefore", "expiring-before")]
    [InlineData("EndpointUrl", "endpoint-url")]
    [InlineData("S3Bucket", "s3-bucket")]
    [InlineData("SSEKMSKeyId", "ssekms-key-id")]
    public void KebabCase_FollowsTheCliConvention(string parameter, string option)
        => Assert.Equal(option, Kebab(parameter));

    public static string Kebab(string name) => KebabBoundary().Replace(name, "-").ToLowerInvariant();

    private CmdletDescriptor Cmdlet(string name) => module.Cmdlets.Single(c => c.Name == name);

    /// <summary>Mandatory parameters of a set: positional ones by position and type, named ones by name.</summary>
    private static string MandatorySignature(CmdletDescriptor cmdlet, string set)
    {
        var mandatory = cmdlet.ParametersIn(set).Where(p => p.Binding.Mandatory).ToList();
        var positional = mandatory.Where(p => p.Binding.Position is not null).OrderBy(p => p.Binding.Position).Select(p => $"{p.Binding.Position}:{p.Parameter.TypeFullName}");
        var named = mandatory.Where(p => p.Binding.Position is null).Select(p => p.Parameter.Name).Order(StringComparer.OrdinalIgnoreCase);
        return string.Join(",", positional) + "|" + string.Join(",", named);
    }

    private static bool HasMember(Type type, string member)
        => type.GetProperty(member, BindingFlags.Public | BindingFlags.Instance) is not null
           || type.GetField(member, BindingFlags.Public | BindingFlags.Instance) is not null
           || type.GetConstructors().Any(c => c.GetParameters().Any(p => p.Name == member))
           || type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Any(m => m.Name == member);

    [GeneratedRegex("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")]
    private static partial Regex KebabBoundary();
}
