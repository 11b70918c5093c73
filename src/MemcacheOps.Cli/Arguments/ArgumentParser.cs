using System.CommandLine;

namespace MemcacheOps.Cli.Arguments;

/// <summary>
/// Parses one verb's options (everything after the verb) with System.CommandLine, as <c>memcacheops</c> does, without
/// running anything: for code and tests that build a verb's settings from a command line.
/// </summary>
public static class ArgumentParser
{
    /// <exception cref="UsageException">The command line cannot be parsed; the message names the offending token.</exception>
    public static ParsedArguments Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> options)
    {
        var (command, names) = new OptionSymbols().Command("memcacheops", "One verb's options.", options);
        var result = command.Parse(args, CommandLineTree.ParserConfiguration);
        if (result.Errors.Count > 0)
            throw new UsageException(string.Join(" ", result.Errors.Select(e => e.Message)));
        return ParsedArgumentsReader.Read(result, names);
    }
}
