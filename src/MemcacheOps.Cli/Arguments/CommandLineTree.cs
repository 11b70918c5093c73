using System.CommandLine;
using System.CommandLine.Help;
using System.Reflection;
using System.CommandLine.Invocation;
using MemcacheOps.Cli.Commands;

namespace MemcacheOps.Cli.Arguments;

/// <summary>
/// The System.CommandLine tree of <c>memcacheops</c>, built from the verbs of <see cref="CommandCatalog"/> and their
/// <see cref="OptionSpec"/> declarations: one subcommand per verb, generated help (<c>--help</c>, <c>-h</c>), typo
/// suggestions, response files (<c>@file</c>), the <c>[suggest]</c> directive behind shell completion, and the
/// <c>completion</c> command that prints the shell scripts. A verb only declares its options and runs; it never sees
/// System.CommandLine.
/// </summary>
internal static class CommandLineTree
{
    public const string Description = "memcacheops: dump, restore, list, inspect and migrate memcached servers.";

    public const string ExitCodesText = "Exit codes: 0 success, 1 differences or partial result, 2 error, 130 cancelled.";

    /// <summary>How every command line is read: response files on, no POSIX bundling (there are no one-letter options to bundle).</summary>
    public static ParserConfiguration ParserConfiguration { get; } = new() { EnablePosixBundling = false };

    /// <summary>Runs a verb with what was parsed for it; returns the exit code.</summary>
    public delegate Task<int> VerbRunner(ICommand verb, ParsedArguments args, CancellationToken cancellationToken);

    public static RootCommand Build(IReadOnlyList<ICommand> verbs, VerbRunner run)
    {
        // Named as installed, also when run by "dotnet memcacheops.dll" or inside a test host.
        var root = new RootCommand(Description) { HelpName = "memcacheops" };
        var help = ReplaceHelpOption(root);
        // System.CommandLine prints the entry assembly's version, which is a test host's when run in-process.
        foreach (var version in root.Options.OfType<VersionOption>())
            version.Action = new PrintVersion();
        var symbols = new OptionSymbols();
        foreach (var verb in verbs)
        {
            var (command, names) = symbols.Command(verb.Name, verb.Summary, verb.Options);
            command.SetAction((result, cancellationToken) => run(verb, ParsedArgumentsReader.Read(result, names), cancellationToken));
            root.Add(command);
        }
        root.Add(ShellCompletion.CreateCommand());
        // "memcacheops" alone: the overview, and exit 2 since nothing was done.
        root.SetAction(result =>
        {
            help.Invoke(result);
            return ExitCodes.Error;
        });
        return root;
    }

    /// <summary>
    /// System.CommandLine's help option also answers to /h, /? and -?, which would swallow a value such as a path
    /// "/h"; memcacheops keeps the two spellings it always had: --help, and -h as a hidden twin (so that typo
    /// suggestions never offer "-h" for a stray value). Its output gains the exit codes.
    /// </summary>
    private static HelpWithExitCodes ReplaceHelpOption(RootCommand root)
    {
        foreach (var standard in root.Options.OfType<HelpOption>().ToList())
            root.Options.Remove(standard);
        var help = new HelpOption("--help") { Description = "Show help and usage information (also -h)." };
        var action = new HelpWithExitCodes((SynchronousCommandLineAction)help.Action!);
        help.Action = action;
        root.Options.Add(help);
        root.Options.Add(new HelpOption("-h") { Hidden = true, Action = action });
        return action;
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(
                typeof(CommandLineTree).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
            return ExitCodes.Success;
        }
    }

    /// <summary>The generated help, followed by the exit codes every verb shares and, for the overview, how to pass options.</summary>
    private sealed class HelpWithExitCodes(SynchronousCommandLineAction generated) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            generated.Invoke(parseResult);
            var output = parseResult.InvocationConfiguration.Output;
            if (parseResult.CommandResult.Command is RootCommand)
            {
                // Each line fits an 80-column terminal, as the generated part does.
                output.WriteLine("Run 'memcacheops <command> --help' for a command's options.");
                output.WriteLine("Options can also come from response files: memcacheops export @nightly.rsp");
                output.WriteLine("Shell completion: memcacheops completion bash|zsh|pwsh");
                output.WriteLine();
            }
            output.WriteLine(ExitCodesText);
            return ExitCodes.Success;
        }
    }
}
