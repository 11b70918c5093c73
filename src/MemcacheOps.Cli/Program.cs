using System.CommandLine;
using System.CommandLine.Invocation;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Commands;
using MemcacheOps.Cli.Output;
using MemcacheOps.Engine;

namespace MemcacheOps.Cli;

/// <summary>
/// Entry point of <c>memcacheops</c>: System.CommandLine reads the command line (<see cref="CommandLineTree"/>), the
/// chosen verb runs, and failures map to exit codes: 2 for a command line that cannot be run (the offending token
/// named) and for errors, 130 when cancelled.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await RunAsync(args, CliConsole.System, cancel.Token).ConfigureAwait(false);
    }

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
        => RunAsync(args, new CliConsole(stdout, stderr, ShowProgress: false), cancellationToken);

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken)
    {
        var root = CommandLineTree.Build(CommandCatalog.All, (verb, parsed, token) => RunVerbAsync(verb, parsed, console, token));
        var result = root.Parse(HelpVerb(args), CommandLineTree.ParserConfiguration);
        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Ctrl+C is Main's (it cancels the token); verbs handle their own failures.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        if (result.Action is ParseErrorAction suggestions)
        {
            // The errors, each naming its token, then System.CommandLine's suggestions for a mistyped verb or
            // option, all on stderr (stdout carries only results).
            foreach (var error in result.Errors)
                console.Error.WriteLine($"error: {error.Message}");
            suggestions.ShowHelp = false;
            suggestions.ShowTypoCorrections = true;
            result.Invoke(new InvocationConfiguration { Output = console.Error, Error = TextWriter.Null });
            var verb = result.CommandResult.Command is RootCommand ? null : result.CommandResult.Command.Name;
            console.Error.WriteLine(verb is null ? "Run 'memcacheops --help' for the commands." : $"Run 'memcacheops {verb} --help' for its options.");
            return ExitCodes.Error;
        }
        return await result.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RunVerbAsync(ICommand command, ParsedArguments parsed, CliConsole console, CancellationToken cancellationToken)
    {
        try
        {
            if (parsed.Flag("skip-certificate-check"))
                console.Error.WriteLine(CommonOptions.SkipCertificateCheckWarning);
            return await command.RunAsync(parsed, console, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            console.Error.WriteLine($"error: {CliWording.ForCli(ex.Message)}");
            console.Error.WriteLine($"Run 'memcacheops {command.Name} --help' for its options.");
            return ExitCodes.Error;
        }
        catch (MemcacheException ex)
        {
            console.Error.WriteLine($"error: {CliWording.ForCli(ex.Message)} [{ex.ErrorId}]");
            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }
    }

    /// <summary><c>memcacheops help</c> and <c>memcacheops help VERB</c>, as before the generated help: the same as --help.</summary>
    private static string[] HelpVerb(string[] args) => args switch
    {
        ["help"] => ["--help"],
        ["help", var verb, ..] => [verb, "--help"],
        _ => args,
    };
}
