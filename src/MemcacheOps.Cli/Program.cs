using System.Reflection;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Commands;
using MemcacheOps.Engine;

namespace MemcacheOps.Cli;

/// <summary>Entry point of <c>memcacheops</c>: picks the verb, parses its options, maps failures to exit codes.</summary>
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
        var stdout = console.Out;
        var stderr = console.Error;
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            PrintHelp(stdout, args.Length > 1 ? CommandCatalog.Find(args[1]) : null);
            return args.Length == 0 ? ExitCodes.Error : ExitCodes.Success;
        }
        if (args[0] is "--version")
        {
            stdout.WriteLine(typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
            return ExitCodes.Success;
        }
        var command = CommandCatalog.Find(args[0]);
        if (command is null)
        {
            stderr.WriteLine($"error: unknown command '{args[0]}'. Commands: {string.Join(", ", CommandCatalog.All.Select(c => c.Name))}.");
            return ExitCodes.Error;
        }
        var rest = args.Skip(1).ToArray();
        if (rest.Any(a => a is "--help" or "-h"))
        {
            PrintHelp(stdout, command);
            return ExitCodes.Success;
        }
        try
        {
            var parsed = ArgumentParser.Parse(rest, command.Options);
            if (parsed.Flag("skip-certificate-check"))
                stderr.WriteLine(CommonOptions.SkipCertificateCheckWarning);
            return await command.RunAsync(parsed, console, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            stderr.WriteLine($"Run 'memcacheops {command.Name} --help' for its options.");
            return ExitCodes.Error;
        }
        catch (MemcacheException ex)
        {
            stderr.WriteLine($"error: {ex.Message} [{ex.ErrorId}]");
            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }
    }

    private static void PrintHelp(TextWriter w, ICommand? command)
    {
        if (command is null)
        {
            w.WriteLine("memcacheops: dump, restore, list, inspect and migrate memcached servers.");
            w.WriteLine();
            w.WriteLine("Usage: memcacheops <command> [options]   (memcacheops <command> --help for its options)");
            w.WriteLine();
            foreach (var c in CommandCatalog.All)
                w.WriteLine($"  {c.Name,-10} {c.Summary}");
            w.WriteLine();
            w.WriteLine("Exit codes: 0 success, 1 differences found / partial result, 2 error, 130 cancelled.");
            return;
        }
        w.WriteLine($"memcacheops {command.Name}: {command.Summary}");
        w.WriteLine();
        foreach (var o in command.Options)
        {
            var head = o.Kind == OptionKind.Flag ? $"--{o.Name}" : $"--{o.Name} {o.ValueName}";
            var aliases = o.Aliases.Length > 0 ? $" (also --{string.Join(", --", o.Aliases)})" : string.Empty;
            w.WriteLine($"  {head,-28} {o.Description}{aliases}");
        }
    }
}
