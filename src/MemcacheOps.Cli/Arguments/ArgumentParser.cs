namespace MemcacheOps.Cli.Arguments;

/// <summary>Parses "--name value", "--name=value" and flags against a command's option table.</summary>
public static class ArgumentParser
{
    public static ParsedArguments Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> options)
    {
        var byName = new Dictionary<string, OptionSpec>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            byName[option.Name] = option;
            foreach (var alias in option.Aliases)
                byName[alias] = option;
        }
        var parsed = new ParsedArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"Unexpected argument '{arg}'. Options start with --; see --help.");
            var name = arg[2..];
            string? inline = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }
            if (!byName.TryGetValue(name, out var spec))
            {
                var close = options.Select(o => o.Name).OrderBy(n => Distance(n, name)).FirstOrDefault();
                throw new UsageException($"Unknown option --{name}.{(close is not null && Distance(close, name) <= 3 ? $" Did you mean --{close}?" : string.Empty)}");
            }
            if (spec.Kind == OptionKind.Flag)
            {
                var on = true;
                if (inline is not null && !bool.TryParse(inline, out on))
                    throw new UsageException($"--{name} is a switch: give it alone, or as --{name}=true or --{name}=false.");
                parsed.AddFlag(spec.Name, on);
                continue;
            }
            var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"--{name} needs a value ({spec.ValueName})."));
            parsed.AddValue(spec.Name, value);
        }
        return parsed;
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        }
        return d[a.Length, b.Length];
    }
}
