using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MemcacheOps.Cli.Arguments;
using MemcacheOps.Cli.Commands;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Cli;

/// <summary>
/// <c>memcacheops</c>'s command line as System.CommandLine reads it: generated help for every verb, suggestions for
/// a mistyped verb or option, errors that name the token and exit 2, response files, shell completion, and the
/// option names, aliases and kinds the CLI had before (a contract scripts rely on).
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("memcacheops-cli-");

    public void Dispose() => _folder.Delete(recursive: true);

    public static TheoryData<string> Verbs() => new(CommandCatalog.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task EveryVerb_HasGeneratedHelp_WithEachOptionAndAlias(string verb)
    {
        var command = CommandCatalog.Find(verb)!;

        var (code, output, errors) = await CliRunner.RunAsync(verb, "--help");
        var shortForm = await CliRunner.RunAsync(verb, "-h");
        var helpVerb = await CliRunner.RunAsync("help", verb);

        Assert.True(code == 0, errors);
        Assert.Contains($"memcacheops {verb} [options]", output, StringComparison.Ordinal);
        Assert.Contains(command.Summary, output, StringComparison.Ordinal);
        foreach (var option in command.Options)
        {
            var label = option.Kind == OptionKind.Flag ? $"--{option.Name} " : $"--{option.Name} <{option.ValueName}>";
            Assert.Contains(label, output, StringComparison.Ordinal);
            if (option.Aliases.Length > 0)
                Assert.Contains($"(also --{string.Join(", --", option.Aliases)})", output, StringComparison.Ordinal);
        }
        Assert.Contains(CommandLineTree.ExitCodesText, output, StringComparison.Ordinal);
        Assert.Empty(errors);
        Assert.Equal((0, output), (shortForm.Code, shortForm.Output));
        Assert.Equal((0, output), (helpVerb.Code, helpVerb.Output));
    }

    [Fact]
    public async Task TheOverview_ListsEveryVerb_AndAloneExits2()
    {
        var help = await CliRunner.RunAsync("--help");
        var alone = await CliRunner.RunAsync();

        Assert.Equal(0, help.Code);
        foreach (var command in CommandCatalog.All)
            Assert.Contains($"  {command.Name} ", help.Output, StringComparison.Ordinal);
        Assert.Contains("completion <bash|pwsh|zsh>", help.Output, StringComparison.Ordinal);
        Assert.Contains("@nightly.rsp", help.Output, StringComparison.Ordinal);
        Assert.Equal(2, alone.Code);
        Assert.Equal(help.Output, alone.Output);
    }

    [Fact]
    public async Task Version_IsTheToolsInformationalVersion()
    {
        var expected = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(
            typeof(MemcacheOps.Cli.Program).Assembly)!.InformationalVersion;

        var (code, output, errors) = await CliRunner.RunAsync("--version");

        Assert.True(code == 0, errors);
        Assert.Equal(expected, output.Trim());
    }

    [Fact]
    public async Task AMistypedVerb_IsNamed_WithTheVerbItMeant_AndExits2()
    {
        var (code, output, errors) = await CliRunner.RunAsync("exprot", "--server", "127.0.0.1:1");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("error: Unrecognized command or argument 'exprot'.", errors, StringComparison.Ordinal);
        Assert.Contains("'exprot' was not matched. Did you mean one of the following?" + Environment.NewLine + "export", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownOption_IsNamed_WithTheOptionItMeant_AndExits2()
    {
        var typo = await CliRunner.RunAsync("export", "--serer", "127.0.0.1:1", "--path", _folder.FullName);
        var unknown = await CliRunner.RunAsync("keys", "--server", "127.0.0.1:1", "--no-such-option");

        Assert.Equal(2, typo.Code);
        Assert.Contains("error: Unrecognized command or argument '--serer'.", typo.Errors, StringComparison.Ordinal);
        Assert.Contains("Did you mean one of the following?" + Environment.NewLine + "--server", typo.Errors, StringComparison.Ordinal);
        Assert.Contains("Run 'memcacheops export --help' for its options.", typo.Errors, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_folder.FullName));
        Assert.Equal(2, unknown.Code);
        Assert.Contains("'--no-such-option'", unknown.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'abc'", "stats", "--server", "127.0.0.1:1", "--count", "abc", "--interval", "1")]
    [InlineData("'--server'", "stats", "--server")]
    [InlineData("'stray'", "stats", "--server", "127.0.0.1:1", "stray")]
    [InlineData("'maybe'", "export", "--server", "127.0.0.1:1", "--resume=maybe")]
    [InlineData("'sometimes'", "import", "--path", "d", "--server", "127.0.0.1:1", "--mode", "sometimes")]
    [InlineData("'fish'", "completion", "fish")]
    public async Task ABadCommandLine_NamesTheToken_AndExits2(string named, params string[] args)
    {
        var (code, output, errors) = await CliRunner.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains(named, errors, StringComparison.Ordinal);
        Assert.Contains("error: ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_LastOneCounts_ListsCollect_AndAliasesAreTheirOption()
    {
        var args = ArgumentParser.Parse(
            ["--timeout", "3", "--timeout=5", "--path", "a", "--output-dir", "b", "--server", "h1,h2", "--server", "h3", "--checkpoint-resume", "--key=@literal", "--threads", "7"],
            new ExportCommand().Options);

        Assert.Equal("5", args.Value("timeout"));
        Assert.Equal(TimeSpan.FromSeconds(5), args.Seconds("timeout"));
        Assert.Equal("b", args.Value("path"));
        Assert.Equal(["h1", "h2", "h3"], args.List("server"));
        Assert.Equal(["h1,h2", "h3"], args.RawValues("server"));
        Assert.True(args.Flag("resume"));
        Assert.Equal(["@literal"], args.List("key"));
        Assert.Equal(7, args.Int("connections"));
        Assert.False(args.Has("force"));
    }

    [Fact]
    public async Task AResponseFile_GivesOptions_AsIfTyped()
    {
        using var server = MemcachedProcess.Start();
        var file = Path.Combine(_folder.FullName, "stats.rsp");
        File.WriteAllText(file, $"# the server to look at\n--server {server.Endpoint}\n--json --timeout 5\n");

        var (code, output, errors) = await CliRunner.RunAsync("stats", "@" + file);
        var parsed = ArgumentParser.Parse(["@" + file, "--timeout", "7"], new StatsCommand().Options);
        var missing = await CliRunner.RunAsync("stats", "@" + file + ".missing");

        Assert.True(code == 0, errors);
        using (var json = JsonDocument.Parse(output.Trim()))
            Assert.Equal("1.6.18", json.RootElement.GetProperty("version").GetString());
        Assert.Equal([server.Endpoint], parsed.List("server"));
        Assert.Equal("7", parsed.Value("timeout"));
        Assert.Equal(2, missing.Code);
        Assert.Contains($"Response file not found '{file}.missing'", missing.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("memcacheops exp", "export")]
    [InlineData("memcacheops ", "stats")]
    [InlineData("memcacheops export --serv", "--server")]
    [InlineData("memcacheops export --server h1 --pa", "--path")]
    [InlineData("memcacheops export --resume --fo", "--force")]
    [InlineData("memcacheops import --server h1 ", "--sqs-queue")]
    [InlineData("memcacheops completion ", "pwsh")]
    public async Task TheSuggestDirective_CompletesVerbsAndOptions(string line, string expected)
    {
        var (code, output, errors) = await CliRunner.RunAsync($"[suggest:{line.Length}]", line);

        Assert.True(code == 0, errors);
        var candidates = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(expected, candidates);
        // Aliases parse but are not offered: completion shows each option once, by its name.
        Assert.DoesNotContain("--output-dir", candidates);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task TheBashScript_CompletesThroughTheInstalledCommand()
    {
        // "memcacheops" on PATH, as a dotnet tool install puts it there.
        var bin = Directory.CreateDirectory(Path.Combine(_folder.FullName, "bin")).FullName;
        var shim = Path.Combine(bin, "memcacheops");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        File.WriteAllText(shim, $"#!/bin/sh\nexec \"{dotnet}\" \"{Path.Combine(AppContext.BaseDirectory, "memcacheops.dll")}\" \"$@\"\n");
        File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = """
            eval "$(memcacheops completion bash)"
            COMP_LINE='memcacheops export --ser'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(memcacheops export --ser); COMP_CWORD=2
            _memcacheops_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

        using var bash = Process.Start(start)!;
        var output = bash.StandardOutput.ReadToEndAsync();
        var errors = bash.StandardError.ReadToEndAsync();
        Assert.True(bash.WaitForExit(TimeSpan.FromSeconds(60)), "bash did not finish within 60 s");

        Assert.True(bash.ExitCode == 0, await errors);
        Assert.Equal(["--server"], (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void SharedOptions_AreDeclaredOnce_ForEveryVerbThatHasThem()
    {
        var root = CommandLineTree.Build(CommandCatalog.All, (_, _, _) => Task.FromResult(0));
        Option OptionOf(string verb, string name) => root.Subcommands.Single(c => c.Name == verb).Options.Single(o => o.Name == name);

        Assert.Same(OptionOf("stats", "--server"), OptionOf("keys", "--server"));
        Assert.Same(OptionOf("stats", "--server"), OptionOf("import", "--server"));
        Assert.Same(OptionOf("export", "--json"), OptionOf("move", "--json"));
        Assert.Same(OptionOf("export", "--secret-key"), OptionOf("import", "--secret-key"));
        Assert.Same(OptionOf("export", "--window"), OptionOf("compare", "--window"));
        Assert.Same(OptionOf("import", "--points-per-server"), OptionOf("move", "--points-per-server"));
        Assert.Same(OptionOf("keys", "--method"), OptionOf("export", "--method"));
    }

    [Fact]
    public void AVerbDeclaringANameTwice_IsRefusedWhenTheTreeIsBuilt()
    {
        OptionSpec[] options = [CommonOptions.Server, new("source", OptionKind.List, "Where from.", "server")];

        var error = Assert.Throws<InvalidOperationException>(() => ArgumentParser.Parse([], options));

        Assert.Contains("--server is declared twice (by --server and --source)", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every option the CLI had before System.CommandLine read its command line: verb, name, kind, aliases.</summary>
    public static TheoryData<string, string, OptionKind, string> ContractOptions()
    {
        var data = new TheoryData<string, string, OptionKind, string>();
        foreach (var row in Contract)
            data.Add((string)row[0], (string)row[1], (OptionKind)row[2], (string)row[3]);
        return data;
    }

    [Theory]
    [MemberData(nameof(ContractOptions))]
    public void EveryOptionOfTheContract_KeepsItsKindAndAliases(string verb, string name, OptionKind kind, string aliases)
    {
        var spec = Assert.Single(CommandCatalog.Find(verb)!.Options, o => o.Name == name);
        Assert.Equal(kind, spec.Kind);
        foreach (var alias in aliases.Split(',', StringSplitOptions.RemoveEmptyEntries).Prepend(name))
        {
            Assert.Contains(alias, spec.Aliases.Prepend(spec.Name));
            var args = ArgumentParser.Parse(kind == OptionKind.Flag ? ["--" + alias] : ["--" + alias, "v"], CommandCatalog.Find(verb)!.Options);
            Assert.True(args.Has(name), $"--{alias} of {verb} does not set --{name}");
        }
    }

    private static readonly object[][] Contract =
    [
        ["stats", "server", OptionKind.List, ""],
        ["stats", "json", OptionKind.Flag, ""],
        ["stats", "connect-timeout", OptionKind.Value, ""],
        ["stats", "timeout", OptionKind.Value, ""],
        ["stats", "quiet", OptionKind.Flag, ""],
        ["stats", "group", OptionKind.Value, ""],
        ["stats", "interval", OptionKind.Value, ""],
        ["stats", "count", OptionKind.Value, ""],
        ["keys", "server", OptionKind.List, ""],
        ["keys", "json", OptionKind.Flag, ""],
        ["keys", "connect-timeout", OptionKind.Value, ""],
        ["keys", "timeout", OptionKind.Value, ""],
        ["keys", "quiet", OptionKind.Flag, ""],
        ["keys", "pattern", OptionKind.Value, ""],
        ["keys", "regex", OptionKind.Flag, ""],
        ["keys", "exclude", OptionKind.Value, ""],
        ["keys", "slab-class", OptionKind.List, ""],
        ["keys", "expiring-before", OptionKind.Value, ""],
        ["keys", "expiring-after", OptionKind.Value, ""],
        ["keys", "first", OptionKind.Value, ""],
        ["keys", "count", OptionKind.Flag, "count-only"],
        ["keys", "method", OptionKind.Value, ""],
        ["keys", "spill-directory", OptionKind.Value, ""],
        ["export", "server", OptionKind.List, ""],
        ["export", "json", OptionKind.Flag, ""],
        ["export", "connect-timeout", OptionKind.Value, ""],
        ["export", "timeout", OptionKind.Value, ""],
        ["export", "quiet", OptionKind.Flag, ""],
        ["export", "path", OptionKind.Value, "output-dir"],
        ["export", "config", OptionKind.Value, "config-file"],
        ["export", "connections", OptionKind.Value, "threads"],
        ["export", "batch-size", OptionKind.Value, "bulk-get-threshold"],
        ["export", "window", OptionKind.Value, ""],
        ["export", "memory-limit", OptionKind.Value, "memlimit"],
        ["export", "key-file-size", OptionKind.Value, ""],
        ["export", "data-file-size", OptionKind.Value, ""],
        ["export", "only-expire-after", OptionKind.Value, "only-expire-after-s"],
        ["export", "request-id", OptionKind.Value, "req-id"],
        ["export", "resume", OptionKind.Flag, "checkpoint-resume"],
        ["export", "force", OptionKind.Flag, ""],
        ["export", "include", OptionKind.Value, "pattern"],
        ["export", "exclude", OptionKind.Value, ""],
        ["export", "regex", OptionKind.Flag, ""],
        ["export", "ring-server", OptionKind.List, "all-ips"],
        ["export", "destination-server", OptionKind.List, "dest-ips"],
        ["export", "points-per-server", OptionKind.Value, "ketama-bucket-size"],
        ["export", "ring-form", OptionKind.Value, ""],
        ["export", "key", OptionKind.List, ""],
        ["export", "checksum", OptionKind.Value, ""],
        ["export", "layout", OptionKind.Value, ""],
        ["export", "max-ops-per-second", OptionKind.Value, ""],
        ["export", "max-bytes-per-second", OptionKind.Value, ""],
        ["export", "method", OptionKind.Value, ""],
        ["export", "s3-bucket", OptionKind.Value, ""],
        ["export", "s3-prefix", OptionKind.Value, "s3-final-path"],
        ["export", "sqs-queue", OptionKind.Value, ""],
        ["export", "remove-local", OptionKind.Flag, ""],
        ["export", "profile-name", OptionKind.Value, "profile"],
        ["export", "profile-location", OptionKind.Value, ""],
        ["export", "region", OptionKind.Value, ""],
        ["export", "access-key", OptionKind.Value, ""],
        ["export", "secret-key", OptionKind.Value, ""],
        ["export", "session-token", OptionKind.Value, ""],
        ["export", "endpoint-url", OptionKind.Value, ""],
        ["export", "sqs-endpoint-url", OptionKind.Value, ""],
        ["import", "server", OptionKind.List, ""],
        ["import", "json", OptionKind.Flag, ""],
        ["import", "connect-timeout", OptionKind.Value, ""],
        ["import", "timeout", OptionKind.Value, ""],
        ["import", "quiet", OptionKind.Flag, ""],
        ["import", "path", OptionKind.List, ""],
        ["import", "bucket-name", OptionKind.Value, ""],
        ["import", "key", OptionKind.List, ""],
        ["import", "sqs-queue", OptionKind.Value, ""],
        ["import", "s3-bucket", OptionKind.List, ""],
        ["import", "s3-prefix", OptionKind.Value, ""],
        ["import", "max-receive-count", OptionKind.Value, ""],
        ["import", "idle-timeout", OptionKind.Value, ""],
        ["import", "visibility-timeout", OptionKind.Value, ""],
        ["import", "work-folder", OptionKind.Value, ""],
        ["import", "mode", OptionKind.Value, ""],
        ["import", "skip-checksum", OptionKind.Flag, ""],
        ["import", "minimum-ttl", OptionKind.Value, ""],
        ["import", "ttl-override", OptionKind.Value, ""],
        ["import", "allow-incomplete", OptionKind.Flag, ""],
        ["import", "ring-form", OptionKind.Value, ""],
        ["import", "points-per-server", OptionKind.Value, "ketama-bucket-size"],
        ["import", "connections", OptionKind.Value, ""],
        ["import", "batch-size", OptionKind.Value, ""],
        ["import", "window", OptionKind.Value, ""],
        ["import", "file-parallelism", OptionKind.Value, ""],
        ["import", "max-ops-per-second", OptionKind.Value, ""],
        ["import", "max-bytes-per-second", OptionKind.Value, ""],
        ["import", "profile-name", OptionKind.Value, "profile"],
        ["import", "profile-location", OptionKind.Value, ""],
        ["import", "region", OptionKind.Value, ""],
        ["import", "access-key", OptionKind.Value, ""],
        ["import", "secret-key", OptionKind.Value, ""],
        ["import", "session-token", OptionKind.Value, ""],
        ["import", "endpoint-url", OptionKind.Value, ""],
        ["import", "sqs-endpoint-url", OptionKind.Value, ""],
        ["compare", "reference", OptionKind.List, ""],
        ["compare", "difference", OptionKind.List, "server"],
        ["compare", "reference-path", OptionKind.Value, ""],
        ["compare", "difference-path", OptionKind.Value, ""],
        ["compare", "sample", OptionKind.Value, ""],
        ["compare", "summary", OptionKind.Flag, ""],
        ["compare", "ttl-tolerance", OptionKind.Value, ""],
        ["compare", "ring-form", OptionKind.Value, ""],
        ["compare", "points-per-server", OptionKind.Value, "ketama-bucket-size"],
        ["compare", "connections", OptionKind.Value, ""],
        ["compare", "batch-size", OptionKind.Value, ""],
        ["compare", "window", OptionKind.Value, ""],
        ["compare", "max-ops-per-second", OptionKind.Value, ""],
        ["compare", "max-bytes-per-second", OptionKind.Value, ""],
        ["compare", "spill-directory", OptionKind.Value, ""],
        ["compare", "json", OptionKind.Flag, ""],
        ["compare", "connect-timeout", OptionKind.Value, ""],
        ["compare", "timeout", OptionKind.Value, ""],
        ["compare", "quiet", OptionKind.Flag, ""],
        ["move", "json", OptionKind.Flag, ""],
        ["move", "connect-timeout", OptionKind.Value, ""],
        ["move", "timeout", OptionKind.Value, ""],
        ["move", "quiet", OptionKind.Flag, ""],
        ["move", "source", OptionKind.List, "server"],
        ["move", "destination", OptionKind.List, ""],
        ["move", "ring-server", OptionKind.List, ""],
        ["move", "old-ring-server", OptionKind.List, ""],
        ["move", "only-moved", OptionKind.Flag, ""],
        ["move", "mode", OptionKind.Value, ""],
        ["move", "sync-deletes", OptionKind.Flag, ""],
        ["move", "passes", OptionKind.Value, ""],
        ["move", "change-threshold", OptionKind.Value, ""],
        ["move", "deadline", OptionKind.Value, ""],
        ["move", "continuous", OptionKind.Flag, ""],
        ["move", "pass-interval", OptionKind.Value, ""],
        ["move", "max-ops-per-second", OptionKind.Value, ""],
        ["move", "max-bytes-per-second", OptionKind.Value, ""],
        ["move", "force", OptionKind.Flag, ""],
        ["move", "eviction-policy", OptionKind.Value, ""],
        ["move", "ring-form", OptionKind.Value, ""],
        ["move", "points-per-server", OptionKind.Value, "ketama-bucket-size"],
        ["move", "connections", OptionKind.Value, ""],
        ["move", "batch-size", OptionKind.Value, ""],
        ["move", "window", OptionKind.Value, ""],
        ["move", "what-if", OptionKind.Flag, ""],
    ];
}
