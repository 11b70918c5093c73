using System.CommandLine;
using MemcacheOps.Cli.Commands;

namespace MemcacheOps.Cli.Arguments;

/// <summary>
/// <c>memcacheops completion bash|zsh|pwsh</c>: prints a script that makes the shell complete verbs and options. Each
/// script hands the command line up to the cursor to <c>memcacheops "[suggest:POSITION]" "LINE"</c>, the
/// System.CommandLine directive that answers with the candidates one per line, so completion always knows exactly the
/// verbs and options of the installed version.
/// </summary>
internal static class ShellCompletion
{
    public const string CommandName = "completion";

    public static readonly IReadOnlyDictionary<string, string> Scripts = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["bash"] = """
            # memcacheops completion for bash. Load it with: eval "$(memcacheops completion bash)" (e.g. in ~/.bashrc)
            _memcacheops_complete() {
                local line="${COMP_LINE:0:COMP_POINT}"
                line="${line#"${COMP_WORDS[0]}"}"
                local IFS=$'\n'
                COMPREPLY=($(memcacheops "[suggest:${#line}]" "$line" 2>/dev/null))
            }
            complete -o default -F _memcacheops_complete memcacheops
            """,
        ["zsh"] = """
            # memcacheops completion for zsh. Load it with: eval "$(memcacheops completion zsh)" (e.g. in ~/.zshrc, after compinit)
            _memcacheops() {
                local line="${BUFFER[1,CURSOR]}"
                line="${line#${words[1]}}"
                local -a candidates
                candidates=("${(@f)$(memcacheops "[suggest:${#line}]" "$line" 2>/dev/null)}")
                candidates=(${candidates:#})
                if (( ${#candidates} )); then compadd -- $candidates; else _files; fi
            }
            compdef _memcacheops memcacheops
            """,
        ["pwsh"] = """
            # memcacheops completion for PowerShell. Load it with: memcacheops completion pwsh | Out-String | Invoke-Expression (e.g. in $PROFILE)
            Register-ArgumentCompleter -Native -CommandName memcacheops -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                $line = $commandAst.ToString()
                $line = $line.Substring(0, [Math]::Min([Math]::Max($cursorPosition - $commandAst.Extent.StartOffset, 0), $line.Length))
                $line = $line.Substring([Math]::Min($commandAst.CommandElements[0].Extent.Text.Length, $line.Length))
                memcacheops "[suggest:$($line.Length)]" $line 2>$null | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }
            """,
    };

    public static Command CreateCommand()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh." };
        shell.AcceptOnlyFromAmong([.. Scripts.Keys]);
        var command = new Command(CommandName,
            "Print a script that completes memcacheops commands and options in your shell: eval \"$(memcacheops completion bash)\", "
            + "eval \"$(memcacheops completion zsh)\", or memcacheops completion pwsh | Out-String | Invoke-Expression.")
        {
            shell,
        };
        command.SetAction(result =>
        {
            result.InvocationConfiguration.Output.WriteLine(Scripts[result.GetValue(shell)!]);
            return ExitCodes.Success;
        });
        return command;
    }
}
