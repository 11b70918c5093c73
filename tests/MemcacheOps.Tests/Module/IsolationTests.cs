using System.Diagnostics;
using System.Runtime.Loader;
using System.Text.Json;
using MemcacheOps.Cmdlets.Loading;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Adapters;

namespace MemcacheOps.Tests.Module;

/// <summary>
/// The adapters and their packages load into a private context from the built module's dependencies/ folder,
/// while the engine stays one shared copy.
/// <para>
/// The main proof runs in a separate process (tests/MemcacheOps.IsolationProbe): a test host cannot load a
/// second version of YamlDotNet into its own default context without breaking other tests that use the
/// adapters there. The probe first loads YamlDotNet 15.x and an older AWSSDK.SQS with its AWSSDK.Core into the
/// default context (as another module, or AWS.Tools.SQS, would), then loads the module's adapters and creates
/// their SQS client, which must get their own copies (the versions Directory.Packages.props names) from
/// dependencies/.
/// </para>
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class IsolationTests(ModuleFixture module)
{
    /// <summary>The YamlDotNet the adapters are built against (this test project references them).</summary>
    private static readonly string AdaptersYamlVersion = typeof(YamlDotNet.Serialization.IDeserializer).Assembly.GetName().Version!.ToString();

    /// <summary>The AWS SDK builds the adapters use, told apart by file version (every 4.x build has assembly version 4.0.0.0).</summary>
    private static readonly string AdaptersSqsFileVersion = FileVersion(typeof(Amazon.SQS.AmazonSQSClient).Assembly);

    private static readonly string AdaptersAwsCoreFileVersion = FileVersion(typeof(Amazon.Runtime.AWSCredentials).Assembly);

    [Fact]
    public void Adapters_GetTheirOwnAwsSdkForSqs_BesideAnotherModulesCopy()
    {
        var report = RunProbe();
        var dependencies = Path.Combine(module.LayoutDirectory, "dependencies");

        Assert.Equal("Default", report.GetProperty("defaultSqsContext").GetString());
        Assert.NotEqual(AdaptersSqsFileVersion, report.GetProperty("defaultSqsVersion").GetString());
        Assert.Equal(AdaptersSqsFileVersion, report.GetProperty("adaptersSqsVersion").GetString());
        Assert.Equal(AdaptersLoadContext.ContextName, report.GetProperty("adaptersSqsContext").GetString());
        Assert.Equal(Path.Combine(dependencies, "AWSSDK.SQS.dll"), report.GetProperty("adaptersSqsLocation").GetString());

        Assert.NotEqual(AdaptersAwsCoreFileVersion, report.GetProperty("defaultAwsCoreVersion").GetString());
        Assert.Equal(AdaptersAwsCoreFileVersion, report.GetProperty("adaptersAwsCoreVersion").GetString());
        Assert.Equal(AdaptersLoadContext.ContextName, report.GetProperty("adaptersAwsCoreContext").GetString());
        Assert.Equal(Path.Combine(dependencies, "AWSSDK.Core.dll"), report.GetProperty("adaptersAwsCoreLocation").GetString());
    }

    [Fact]
    public void Adapters_GetTheirOwnYamlDotNet_WhileTheEngineIsShared()
    {
        var report = RunProbe();

        // Two different versions side by side: the other module's in the default context, the adapters' in theirs.
        Assert.Equal("15.0.0.0", report.GetProperty("defaultYamlVersion").GetString());
        Assert.Equal("Default", report.GetProperty("defaultYamlContext").GetString());
        Assert.Equal(AdaptersYamlVersion, report.GetProperty("adaptersYamlVersion").GetString());
        Assert.Equal(AdaptersLoadContext.ContextName, report.GetProperty("adaptersYamlContext").GetString());
        Assert.StartsWith(Path.Combine(module.LayoutDirectory, "dependencies"), report.GetProperty("adaptersYamlLocation").GetString(), StringComparison.Ordinal);
        Assert.False(report.GetProperty("sameYamlInstance").GetBoolean());

        // The factory lives in the private context but is the engine's interface: one engine for both.
        Assert.Equal(AdapterLoader.FactoryTypeName, report.GetProperty("factoryType").GetString());
        Assert.Equal(AdaptersLoadContext.ContextName, report.GetProperty("factoryContext").GetString());
        Assert.Equal("Default", report.GetProperty("engineContext").GetString());
        Assert.True(report.GetProperty("engineSameInstanceForFactory").GetBoolean());
        Assert.True(report.GetProperty("engineSameInstanceByName").GetBoolean());
        Assert.False(report.GetProperty("engineInAdaptersContext").GetBoolean());
        Assert.False(report.GetProperty("adaptersInDefaultContext").GetBoolean());
        Assert.Contains($"YamlDotNet {AdaptersYamlVersion} [MemcacheOps.Adapters]", report.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"AWSSDK\.Core \S+ \[MemcacheOps\.Adapters\]", report.GetProperty("description").GetString());

        // HdrHistogram (Measure-MemcacheLatency): the other module's copy stays in the default context, the adapters
        // load theirs from dependencies/, and the histograms reach the engine through its interfaces.
        Assert.Equal("Default", report.GetProperty("defaultHdrContext").GetString());
        Assert.Equal(AdaptersLoadContext.ContextName, report.GetProperty("adaptersHdrContext").GetString());
        Assert.StartsWith(Path.Combine(module.LayoutDirectory, "dependencies"), report.GetProperty("adaptersHdrLocation").GetString(), StringComparison.Ordinal);
        Assert.False(report.GetProperty("sameHdrInstance").GetBoolean());
        Assert.Equal(AdaptersLoadContext.ContextName, report.GetProperty("histogramsContext").GetString());
        Assert.Equal(1, report.GetProperty("histogramCount").GetInt64());
        Assert.Matches(@"HdrHistogram \S+ \[MemcacheOps\.Adapters\]", report.GetProperty("description").GetString());
    }

    /// <summary>
    /// In this process the default context holds the test's own YamlDotNet (the same version, another file):
    /// the adapters still get a distinct Assembly from dependencies/, and the factory casts to the engine's interface.
    /// </summary>
    [Fact]
    public void Loader_InThisProcess_KeepsItsOwnCopies()
    {
        var defaultYaml = typeof(YamlDotNet.Serialization.Deserializer).Assembly;
        var loader = AdapterLoader.ForModule(module.LayoutDirectory);
        IAdapterFactory factory = loader.Factory;
        Assert.Contains("YamlDotNet", factory.Describe(), StringComparison.Ordinal);

        var privateYaml = loader.Context.Assemblies.Single(a => a.GetName().Name == "YamlDotNet");
        Assert.NotSame(defaultYaml, privateYaml);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(defaultYaml));
        Assert.Same(loader.Context, AssemblyLoadContext.GetLoadContext(privateYaml));
        Assert.Same(loader.Context, AssemblyLoadContext.GetLoadContext(factory.GetType().Assembly));
        Assert.Same(typeof(IAdapterFactory).Assembly, loader.Context.LoadFromAssemblyName(typeof(IAdapterFactory).Assembly.GetName()));
        Assert.DoesNotContain(loader.Context.Assemblies, a => a.GetName().Name == "MemcacheOps.Engine");
    }

    /// <summary>Export-MemcacheData -ConfigFile: the YAML reader comes from the private context and reads through the engine's interface.</summary>
    [Fact]
    public void ConfigReader_ComesFromThePrivateContext()
    {
        var loader = AdapterLoader.ForModule(module.LayoutDirectory);
        var reader = loader.Factory.CreateConfigReader();
        Assert.Same(loader.Context, AssemblyLoadContext.GetLoadContext(reader.GetType().Assembly));

        var file = Path.Combine(Path.GetTempPath(), "memcacheops-config-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(file, "ip: \"127.0.0.1\"\nport: 11311\noutput_dir: \"/dumps/x\"\n");
        try
        {
            var config = reader.Read(file);
            Assert.Equal("127.0.0.1", config.Ip);
            Assert.Equal(11311, config.Port);
            Assert.Equal(file, config.SourcePath);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Loader_WithoutAdapters_SaysWhatToDo()
    {
        var empty = Path.Combine(Path.GetTempPath(), "memcacheops-empty-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(empty);
        try
        {
            var error = Assert.Throws<MemcacheException>(() => AdapterLoader.ForModule(empty).Factory);
            Assert.Equal("MemcacheAdaptersMissing", error.ErrorId);
            Assert.Contains("dotnet build MemcacheOps.sln", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    private static string FileVersion(System.Reflection.Assembly assembly)
        => System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyFileVersionAttribute>(assembly)!.Version;

    private JsonElement RunProbe()
    {
        // This test runs from tests/MemcacheOps.Tests/bin/<Configuration>/net10.0; the probe builds beside it.
        var output = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var configuration = output.Parent!.Name;
        var probe = Path.Combine(module.RepositoryRoot, "tests", "MemcacheOps.IsolationProbe", "bin", configuration, output.Name, "MemcacheOps.IsolationProbe.dll");
        Assert.True(File.Exists(probe), $"The isolation probe is not built ({probe}): dotnet build MemcacheOps.sln");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(probe);
        start.ArgumentList.Add(module.LayoutDirectory);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The isolation probe did not finish within 60 s.");
        }
        Assert.True(process.ExitCode == 0, $"The isolation probe failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }
}
