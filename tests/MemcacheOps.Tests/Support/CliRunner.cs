namespace MemcacheOps.Tests.Support;

/// <summary>Runs the CLI in-process with captured output.</summary>
public static class CliRunner
{
    public static async Task<(int Code, string Output, string Errors)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var code = await MemcacheOps.Cli.Program.RunAsync(args, output, errors, CancellationToken.None);
        return (code, output.ToString(), errors.ToString());
    }
}
