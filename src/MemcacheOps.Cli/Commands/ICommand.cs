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
    Task<int> RunAsync(ParsedArguments args, CancellationToken cancellationToken);
}
