using System.CommandLine;
using System.CommandLine.Parsing;

namespace MemcacheOps.Cli.Arguments;

/// <summary>Reads what System.CommandLine parsed for a verb's options into the <see cref="ParsedArguments"/> verbs use.</summary>
internal static class ParsedArgumentsReader
{
    /// <summary>
    /// Goes through the parsed tokens in command-line order, so that the last occurrence of an option wins whichever
    /// of its names it was given by (<c>--path a --output-dir b</c> is b; <c>--resume=false --resume</c> is on). Only a
    /// parse without errors is read: every option token is then followed by its value, except a switch, which is
    /// followed by true or false only when it was given one (System.CommandLine splits <c>--name=false</c> into the
    /// option and its value).
    /// </summary>
    /// <param name="result">A parse without errors.</param>
    /// <param name="names">Each option name of the verb (with dashes, aliases included) and the option it stands for.</param>
    public static ParsedArguments Read(ParseResult result, IReadOnlyDictionary<string, OptionSpec> names)
    {
        if (result.Errors.Count > 0)
            throw new InvalidOperationException("A command line with errors cannot be read: " + string.Join(" ", result.Errors.Select(e => e.Message)));
        var parsed = new ParsedArguments();
        var tokens = result.Tokens;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type != TokenType.Option || !names.TryGetValue(tokens[i].Value, out var spec))
                continue;
            var next = i + 1 < tokens.Count && tokens[i + 1].Type == TokenType.Argument ? tokens[i + 1].Value : null;
            if (spec.Kind == OptionKind.Flag)
            {
                if (next is not null && bool.TryParse(next, out var on))
                {
                    parsed.AddFlag(spec.Name, on);
                    i++;
                }
                else
                {
                    parsed.AddFlag(spec.Name);
                }
                continue;
            }
            parsed.AddValue(spec.Name, next ?? throw new InvalidOperationException($"{tokens[i].Value} was parsed without its value."));
            i++;
        }
        return parsed;
    }
}
