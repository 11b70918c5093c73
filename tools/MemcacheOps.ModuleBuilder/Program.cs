using MemcacheOps.ModuleBuilder.Layout;
using MemcacheOps.ModuleBuilder.Packaging;

namespace MemcacheOps.ModuleBuilder;

/// <summary>
/// memcacheops-module-builder layout &lt;plan&gt;      assemble, document and verify the module folder (run by the build)
/// memcacheops-module-builder verify &lt;folder&gt;    verify a module folder
/// memcacheops-module-builder pack &lt;folder&gt; &lt;out&gt; write MemcacheOps.&lt;version&gt;.nupkg for a PowerShell repository
/// Problems are printed in MSBuild's error format, so the build shows them as errors.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            switch (args)
            {
                case ["layout", var planPath]:
                    var plan = LayoutPlan.Read(planPath);
                    return Report(LayoutBuilder.Build(plan, Path.GetDirectoryName(Path.GetFullPath(planPath))!));
                case ["verify", var folder]:
                    return Report(LayoutVerifier.Verify(folder, []).Select(p => new BuildProblem("MOB001", folder, p)).ToList());
                case ["pack", var folder, var output]:
                    Console.WriteLine(ModulePackager.Pack(folder, output));
                    return 0;
                default:
                    Console.Error.WriteLine("usage: MemcacheOps.ModuleBuilder layout <plan> | verify <module folder> | pack <module folder> <output folder>");
                    return 2;
            }
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException or BadImageFormatException)
        {
            Console.WriteLine($"MemcacheOps.ModuleBuilder : error MOB000: {ex.Message}");
            return 1;
        }
    }

    private static int Report(IReadOnlyList<BuildProblem> problems)
    {
        foreach (var p in problems)
            Console.WriteLine($"{p.File} : error {p.Code}: {p.Message}");
        return problems.Count == 0 ? 0 : 1;
    }
}
