using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;
using MemcacheOps.Cli.Commands;

namespace MemcacheOps.Cli.Output;

/// <summary>
/// The engine's messages name options as cmdlet parameters (<c>-Resume</c>, <c>-AllowIncomplete</c>), the
/// module being the first front end. The CLI shows them as its own options (<c>--resume</c>,
/// <c>--allow-incomplete</c>): an operator at a shell should be told what to type there. Only names the CLI
/// has are rewritten, so memcached's own flags (<c>memcached -X</c>, <c>-I 64k</c>) and parameters without a
/// CLI twin (<c>-Credential</c>) stay as written; a parenthesis that already gave the CLI spelling is dropped
/// rather than repeated.
/// </summary>
public static partial class CliWording
{
    private static readonly FrozenSet<string> OptionNames = CommandCatalog.All
        .SelectMany(command => command.Options)
        .SelectMany(option => option.Aliases.Prepend(option.Name))
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>A message as the CLI prints it.</summary>
    public static string ForCli(string message)
    {
        if (!message.Contains(" -", StringComparison.Ordinal) && !message.StartsWith('-'))
            return message;
        var rewritten = false;
        var text = ParameterMention().Replace(message, match =>
        {
            var name = KebabCase(match.Groups["name"].Value);
            if (!OptionNames.Contains(name))
                return match.Value;
            rewritten = true;
            return "--" + name;
        });
        return rewritten ? TidyOptionLists(text) : text;
    }

    /// <summary>
    /// A parenthesis of options only, such as "(-KeyFile, --key-file)" now "(--key-file, --key-file)", keeps each
    /// once; one whose every option the text has already named ("or --tls (--tls)") goes.
    /// </summary>
    private static string TidyOptionLists(string text)
    {
        var builder = new StringBuilder(text.Length);
        var copied = 0;
        foreach (Match list in OptionList().Matches(text))
        {
            var before = text[..list.Index];
            var options = list.Groups["list"].Value.Split([", ", "; "], StringSplitOptions.None).Distinct(StringComparer.Ordinal).ToArray();
            builder.Append(text, copied, list.Index - copied);
            if (!options.All(option => ContainsOption(before, option)))
                builder.Append(" (").Append(string.Join(", ", options)).Append(')');
            copied = list.Index + list.Length;
        }
        return builder.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool ContainsOption(string text, string option)
        => Regex.IsMatch(text, "(?<![\\w-])" + Regex.Escape(option) + "(?![\\w-])");

    /// <summary>AllowIncomplete is allow-incomplete, S3Bucket s3-bucket, TlsCaFile tls-ca-file.</summary>
    private static string KebabCase(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0 && char.IsLetterOrDigit(pascal[i - 1]))
                builder.Append('-');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    // "-Name" at the start of a word (not inside "memcacheops-x" or "--name"), a capital first.
    [GeneratedRegex(@"(?<![\w-])-(?<name>[A-Z][A-Za-z0-9]+)\b")]
    private static partial Regex ParameterMention();

    // " (--tls)", " (--key-file, --key-file)" or " (--a, --b; --a, --b)": options and nothing else in parentheses.
    [GeneratedRegex(@" \((?<list>--[a-z0-9-]+(?:[,;] --[a-z0-9-]+)*)\)")]
    private static partial Regex OptionList();
}
