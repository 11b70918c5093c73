using MemcacheOps.Cmdlets.Loading;
using MemcacheOps.ModuleBuilder.Layout;

namespace MemcacheOps.Tests.Module;

/// <summary>The module folder the build assembles, and the checks that fail the build when it is wrong.</summary>
[Collection(ModuleCollection.Name)]
public sealed class LayoutTests(ModuleFixture module) : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "memcacheops-layout-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void BuiltLayout_PassesVerification()
        => Assert.Empty(LayoutVerifier.Verify(module.LayoutDirectory, []));

    [Fact]
    public void BuiltLayout_HasTheExpectedShape()
    {
        foreach (var file in ModuleLayout.ExpectedRootFiles)
            Assert.True(File.Exists(Path.Combine(module.LayoutDirectory, file)), file);
        var rootDlls = Directory.GetFiles(module.LayoutDirectory, "*.dll").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["MemcacheOps.Cmdlets.dll", "MemcacheOps.Engine.dll"], rootDlls);
        var dependencies = Directory.GetFiles(Path.Combine(module.LayoutDirectory, ModuleLayout.DependenciesFolder), "*.dll", SearchOption.AllDirectories)
            .Select(Path.GetFileName).ToList();
        Assert.Contains("MemcacheOps.Adapters.dll", dependencies);
        Assert.Contains("YamlDotNet.dll", dependencies);
        Assert.Contains("AWSSDK.Core.dll", dependencies);
        Assert.Contains("AWSSDK.S3.dll", dependencies);
        Assert.Contains("AWSSDK.SQS.dll", dependencies);
        Assert.Contains("HdrHistogram.dll", dependencies);
        Assert.DoesNotContain("MemcacheOps.Engine.dll", dependencies);
        Assert.Empty(Directory.GetFiles(module.LayoutDirectory, "*.deps.json", SearchOption.AllDirectories));
    }

    [Fact]
    public void NoPowerShellOrReferenceAssembly_Ships()
    {
        foreach (var dll in Directory.GetFiles(module.LayoutDirectory, "*.dll", SearchOption.AllDirectories))
        {
            Assert.False(ModuleLayout.IsPowerShellAssembly(Path.GetFileNameWithoutExtension(dll)), dll);
            Assert.False(LayoutVerifier.IsReferenceAssembly(dll), dll);
        }
    }

    [Fact]
    public void Verifier_RejectsThePowerShellStub()
    {
        var layout = CopyLayout();
        var stub = module.ReferencePaths.Single(p => Path.GetFileName(p) == "System.Management.Automation.dll");
        File.Copy(stub, Path.Combine(layout, "System.Management.Automation.dll"));
        Assert.Contains(LayoutVerifier.Verify(layout, []), p => p.Contains("System.Management.Automation.dll must not ship", StringComparison.Ordinal));
    }

    [Fact]
    public void Verifier_RejectsReferenceAssemblies()
    {
        var layout = CopyLayout();
        var referenceAssembly = module.ReferencePaths.First(p => Path.GetFileName(p) == "System.Runtime.dll");
        Assert.True(LayoutVerifier.IsReferenceAssembly(referenceAssembly));
        File.Copy(referenceAssembly, Path.Combine(layout, ModuleLayout.DependenciesFolder, "System.Runtime.dll"));
        Assert.Contains(LayoutVerifier.Verify(layout, []), p => p.Contains("is a reference assembly", StringComparison.Ordinal));
    }

    [Fact]
    public void Verifier_RejectsADependencyAtTheRootAndInDependencies()
    {
        var layout = CopyLayout();
        File.Copy(Path.Combine(layout, ModuleLayout.DependenciesFolder, "YamlDotNet.dll"), Path.Combine(layout, "YamlDotNet.dll"));
        Assert.Contains(LayoutVerifier.Verify(layout, []), p => p.Contains("YamlDotNet.dll is both at the module root and in", StringComparison.Ordinal));
    }

    [Fact]
    public void Verifier_RejectsTheAwsSdkAtTheRoot()
    {
        var layout = CopyLayout();
        File.Move(Path.Combine(layout, ModuleLayout.DependenciesFolder, "AWSSDK.SQS.dll"), Path.Combine(layout, "AWSSDK.SQS.dll"));
        var problems = LayoutVerifier.Verify(layout, []);
        Assert.Contains(problems, p => p.Contains("AWSSDK.SQS.dll is at the module root: it ships only in dependencies/", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains($"{Path.Combine(ModuleLayout.DependenciesFolder, "AWSSDK.SQS.dll")} is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Verifier_RejectsAMissingExpectedFile()
    {
        var layout = CopyLayout();
        File.Delete(Path.Combine(layout, "MemcacheOps.Engine.dll"));
        File.Delete(Path.Combine(layout, ModuleLayout.DependenciesFolder, "YamlDotNet.dll"));
        var problems = LayoutVerifier.Verify(layout, [Path.Combine(ModuleLayout.DependenciesFolder, "YamlDotNet.dll")]);
        Assert.Contains(problems, p => p.Contains("MemcacheOps.Engine.dll is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("YamlDotNet.dll is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void SharedAssemblies_AreTheSameForTheLayoutAndTheLoadContext()
        => Assert.Equal(ModuleLayout.SharedAssemblies, AdaptersLoadContext.SharedAssemblies);

    [Theory]
    [InlineData("MemcacheOps.Cmdlets.dll", true)]
    [InlineData("MemcacheOps.Cmdlets.pdb", true)]
    [InlineData("YamlDotNet.dll", true)]
    [InlineData("de/YamlDotNet.resources.dll", true)]
    [InlineData("YamlDotNet.pdb", false)]
    [InlineData("MemcacheOps.Cmdlets.xml", false)]
    [InlineData("MemcacheOps.Adapters.deps.json", false)]
    public void OnlyAssembliesAndOwnSymbols_Ship(string relativePath, bool ships)
        => Assert.Equal(ships, LayoutBuilder.Ships(relativePath));

    public void Dispose()
    {
        if (Directory.Exists(_temp))
            Directory.Delete(_temp, recursive: true);
    }

    private string CopyLayout()
    {
        foreach (var file in Directory.GetFiles(module.LayoutDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_temp, Path.GetRelativePath(module.LayoutDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return _temp;
    }
}
