using System.Globalization;
using System.Text;

namespace MemcacheOps.ModuleBuilder.Manifest;

/// <summary>
/// Reads a module manifest (.psd1) without PowerShell: the data-language subset manifests use, i.e.
/// hashtables <c>@{ Key = value }</c>, arrays <c>@( ... )</c> (comma or newline separated), quoted
/// strings, numbers, <c>$true</c>/<c>$false</c>/<c>$null</c> and comments. Values become
/// <see cref="string"/>, <see cref="bool"/>, null, <see cref="List{T}"/> of values, or
/// <see cref="Dictionary{TKey,TValue}"/> (case-insensitive keys, like PowerShell hashtables).
/// Anything else (expressions, variables) is rejected: a manifest must stay plain data.
/// </summary>
public static class Psd1Reader
{
    public static Dictionary<string, object?> ReadFile(string path) => Parse(File.ReadAllText(path), path);

    public static Dictionary<string, object?> Parse(string text, string source = "manifest")
    {
        var parser = new Parser(text, source);
        parser.SkipTrivia();
        var root = parser.ParseValue();
        parser.SkipTrivia();
        if (!parser.AtEnd)
            throw parser.Error("unexpected text after the top-level hashtable");
        return root as Dictionary<string, object?> ?? throw parser.Error("the manifest must be one hashtable @{ ... }");
    }

    /// <summary>A string array entry (CmdletsToExport, Tags...): a single string counts as a one-item array.</summary>
    public static IReadOnlyList<string> Strings(IReadOnlyDictionary<string, object?> table, string key)
    {
        if (!table.TryGetValue(key, out var value) || value is null)
            return [];
        return value switch
        {
            string s => [s],
            List<object?> list => list.Select(v => v as string ?? throw new FormatException($"{key} must contain only strings.")).ToList(),
            _ => throw new FormatException($"{key} must be a string or an array of strings."),
        };
    }

    public static string? String(IReadOnlyDictionary<string, object?> table, string key)
        => table.TryGetValue(key, out var value) ? value as string : null;

    public static IReadOnlyDictionary<string, object?>? Table(IReadOnlyDictionary<string, object?> table, string key)
        => table.TryGetValue(key, out var value) ? value as Dictionary<string, object?> : null;

    private sealed class Parser(string text, string source)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public FormatException Error(string what)
        {
            var line = 1 + text.AsSpan(0, Math.Min(_pos, text.Length)).Count('\n');
            return new FormatException($"{source}({line}): {what}.");
        }

        /// <summary>Skips white space (new lines included), line comments and block comments.</summary>
        public void SkipTrivia()
        {
            while (!AtEnd)
            {
                var c = text[_pos];
                if (char.IsWhiteSpace(c) || c == ';')
                {
                    _pos++;
                }
                else if (c == '#')
                {
                    while (!AtEnd && text[_pos] != '\n')
                        _pos++;
                }
                else if (c == '<' && Peek(1) == '#')
                {
                    var end = text.IndexOf("#>", _pos + 2, StringComparison.Ordinal);
                    if (end < 0)
                        throw Error("unterminated block comment");
                    _pos = end + 2;
                }
                else
                {
                    return;
                }
            }
        }

        public object? ParseValue()
        {
            SkipTrivia();
            if (AtEnd)
                throw Error("a value was expected");
            var c = text[_pos];
            if (c == '@' && Peek(1) == '{')
            {
                _pos += 2;
                return ParseTable();
            }
            if (c == '@' && Peek(1) == '(')
            {
                _pos += 2;
                return ParseArray(')');
            }
            if (c is '\'' or '"')
                return ParseString(c);
            if (c == '$')
            {
                var word = ReadWord(1);
                return word.ToUpperInvariant() switch
                {
                    "$TRUE" => true,
                    "$FALSE" => false,
                    "$NULL" => null,
                    _ => throw Error($"variables are not allowed in a manifest ({word})"),
                };
            }
            if (char.IsAsciiDigit(c) || c == '-')
            {
                var word = ReadWord(0);
                return double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? word : throw Error($"'{word}' is not a number");
            }
            throw Error($"unexpected character '{c}'");
        }

        private Dictionary<string, object?> ParseTable()
        {
            var table = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                SkipTrivia();
                if (AtEnd)
                    throw Error("unterminated hashtable");
                if (text[_pos] == '}')
                {
                    _pos++;
                    return table;
                }
                var key = text[_pos] is '\'' or '"' ? ParseString(text[_pos]) : ReadWord(0);
                if (key.Length == 0)
                    throw Error("a key was expected");
                SkipTrivia();
                if (AtEnd || text[_pos] != '=')
                    throw Error($"'=' expected after {key}");
                _pos++;
                if (!table.TryAdd(key, ParseValue()))
                    throw Error($"duplicate key {key}");
            }
        }

        private List<object?> ParseArray(char close)
        {
            var items = new List<object?>();
            while (true)
            {
                SkipTrivia();
                if (AtEnd)
                    throw Error("unterminated array");
                if (text[_pos] == close)
                {
                    _pos++;
                    return items;
                }
                if (text[_pos] == ',')
                {
                    _pos++;
                    continue;
                }
                items.Add(ParseValue());
            }
        }

        private string ParseString(char quote)
        {
            var sb = new StringBuilder();
            _pos++;
            while (true)
            {
                if (AtEnd)
                    throw Error("unterminated string");
                var c = text[_pos++];
                if (c == quote)
                {
                    // A doubled quote is an escaped quote in PowerShell strings.
                    if (!AtEnd && text[_pos] == quote)
                    {
                        sb.Append(quote);
                        _pos++;
                        continue;
                    }
                    return sb.ToString();
                }
                if (quote == '"' && c is '$' or '`')
                    throw Error("expandable strings are not allowed in a manifest; use single quotes");
                sb.Append(c);
            }
        }

        private string ReadWord(int start)
        {
            var begin = _pos;
            _pos += start;
            while (!AtEnd && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.' or '-'))
                _pos++;
            return text[begin.._pos];
        }

        private char Peek(int offset) => _pos + offset < text.Length ? text[_pos + offset] : '\0';
    }
}
