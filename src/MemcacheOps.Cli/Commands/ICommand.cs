using MemcacheOps.Cli.Arguments;

namespace MemcacheOps.Cli.Commands;

/// <summary>One verb of the <c>memcacheops</c> command.</summary>
public interface ICommand
{
    string Name { get; }

    string Summary { get; }

    /// <summary>The options this verb accepts, common ones included.</summary>
    IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Runs the verb; returns the process exit code.</summary>
    Task<int> RunAsync(ParsedArguments args, CliConsole console, CancellationToken cancellationToken);
}

/// <summary>Where a verb writes: stdout for results, stderr for errors, warnings and progress.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool ShowProgress)
{
    public static CliConsole System => new(Console.Out, Console.Error, !Console.IsErrorRedirected);
}
