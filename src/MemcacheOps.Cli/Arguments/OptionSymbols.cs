using System.CommandLine;
using System.CommandLine.Completions;

namespace MemcacheOps.Cli.Arguments;

/// <summary>
/// Turns <see cref="OptionSpec"/> declarations into System.CommandLine options. A spec shared by several verbs
/// (<c>CommonOptions.Server</c>, the AWS options) becomes one set of options that each of those verbs holds, so it is
/// declared, described and completed once.
/// </summary>
/// <remarks>
/// <para>
/// Every option keeps the semantics of the hand-made parser it replaced: <c>--name value</c> and <c>--name=value</c>;
/// a single-value option given twice takes the last value, a list option collects every value (each may also be
/// comma-separated, split by <see cref="ParsedArguments.List"/>); a switch is <c>--name</c>, <c>--name=true</c> or
/// <c>--name=false</c>. Values are converted and checked when a verb reads them (<see cref="ParsedArguments"/>), so a
/// bad value is reported with the option's own message.
/// </para>
/// <para>
/// An alias (<c>--output-dir</c> for <c>--path</c>) is a hidden option of its own: it parses like the name, help
/// shows it in the description ("also --output-dir") instead of widening the names column, and typo suggestions and
/// completion offer the name.
/// </para>
/// </remarks>
internal sealed class OptionSymbols
{
    private readonly Dictionary<OptionSpec, Option[]> _bySpec = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// A command holding the options of <paramref name="specs"/>, and what each of its option names stands for. Two
    /// specs answering to one name would make the command line ambiguous: that is a mistake in the verb's declaration,
    /// reported when the tree is built.
    /// </summary>
    public (Command Command, IReadOnlyDictionary<string, OptionSpec> Names) Command(string name, string description, IReadOnlyList<OptionSpec> specs)
    {
        var command = new Command(name, description);
        var names = new Dictionary<string, OptionSpec>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            foreach (var option in For(spec))
            {
                if (!names.TryAdd(option.Name, spec))
                    throw new InvalidOperationException($"memcacheops {name}: {option.Name} is declared twice (by --{names[option.Name].Name} and --{spec.Name}).");
                command.Add(option);
            }
        }
        return (command, names);
    }

    /// <summary>The options made for <paramref name="spec"/>: its name first, then one hidden option per alias.</summary>
    private Option[] For(OptionSpec spec)
    {
        if (_bySpec.TryGetValue(spec, out var options))
            return options;
        var description = spec.Aliases.Length == 0 ? spec.Description : $"{spec.Description} (also --{string.Join(", --", spec.Aliases)})";
        options = [Create(spec, spec.Name, description, hidden: false), .. spec.Aliases.Select(alias => Create(spec, alias, description, hidden: true))];
        _bySpec.Add(spec, options);
        return options;
    }

    private static Option Create(OptionSpec spec, string name, string description, bool hidden)
    {
        Option option = spec.Kind switch
        {
            // --name, --name=true, --name=false (and --name true / --name false).
            OptionKind.Flag => new Option<bool>("--" + name),
            // One or more occurrences, one value each; the last one counts for Value, all of them for List.
            _ => new Option<string[]>("--" + name)
            {
                Arity = ArgumentArity.OneOrMore,
                AllowMultipleArgumentsPerToken = false,
                HelpName = spec.ValueName,
            },
        };
        option.Description = description;
        option.Hidden = hidden;
        option.CompletionSources.Add(context => OtherOptionsOfTheVerb(context, option));
        return option;
    }

    /// <summary>
    /// After an option's value (or after a switch), System.CommandLine asks that option what may come next, since it
    /// could take more values; what comes next is another option of the verb.
    /// </summary>
    private static IEnumerable<CompletionItem> OtherOptionsOfTheVerb(CompletionContext context, Option option)
    {
        var word = context.WordToComplete;
        var given = context.ParseResult.GetResult(option)?.Tokens.Count ?? 0;
        var wantsOption = word.StartsWith('-') || (word.Length == 0 && (given > 0 || option is Option<bool>));
        if (!wantsOption)
            return [];
        return context.ParseResult.CommandResult.Command.Options
            .Where(o => !o.Hidden && o.Name.StartsWith(word, StringComparison.Ordinal))
            .Select(o => o.Name)
            .Order(StringComparer.Ordinal)
            .Select(name => new CompletionItem(name));
    }
}
