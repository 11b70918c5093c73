using System.Text.Json;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;
using static MemcacheOps.Tests.Compare.CompareRunner;

namespace MemcacheOps.Tests.Compare;

/// <summary><c>memcacheops compare</c>: exit code 0 when equal, 1 when different, 2 on error; one line per difference and a summary line.</summary>
public sealed class CompareCliTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mo-cmpcli-" + Guid.NewGuid().ToString("N"));
    private MemcachedProcess _a = null!;
    private MemcachedProcess _b = null!;

    public async Task InitializeAsync()
    {
        _a = MemcachedProcess.Start(memoryMb: 64);
        _b = MemcachedProcess.Start(memoryMb: 64);
        var items = Enumerable.Range(0, 50).Select(i => new SeedItem(Utf8($"cli:{i}"), Utf8($"value {i}"), (uint)i)).ToList();
        await Seeder.StoreAsync(_a.Endpoint, items);
        await Seeder.StoreAsync(_b.Endpoint, items);
    }

    public Task DisposeAsync()
    {
        _a.Dispose();
        _b.Dispose();
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Equal_servers_exit_0_with_only_the_summary_line()
    {
        var (code, output, errors) = await CliRunner.RunAsync("compare", "--reference", _a.Endpoint, "--difference", _b.Endpoint);

        Assert.True(code == 0, errors);
        var line = Assert.Single(Lines(output));
        Assert.StartsWith("equal: 50 keys compared", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Differences_exit_1_with_one_line_each_and_a_summary()
    {
        await Seeder.StoreAsync(_b.Endpoint, [new SeedItem(Utf8("cli:1"), Utf8("changed!"), 1), new SeedItem(Utf8("cli:extra"), Utf8("x"))]);

        var (code, output, errors) = await CliRunner.RunAsync("compare", "--reference", _a.Endpoint, "--server", _b.Endpoint);

        Assert.True(code == 1, errors);
        var lines = Lines(output);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("ValueMismatch cli:1 ", StringComparison.Ordinal) && l.Contains("flags 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Extra", StringComparison.Ordinal) && l.Contains("cli:extra  reference: absent on " + _a.Endpoint, StringComparison.Ordinal));
        Assert.StartsWith("different: 2 of 51 keys (missing 0, extra 1, value 1, flags 0, ttl 0)", lines[^1], StringComparison.Ordinal);

        var summary = await CliRunner.RunAsync("compare", "--reference", _a.Endpoint, "--difference", _b.Endpoint, "--summary");
        Assert.Equal(1, summary.Code);
        Assert.StartsWith("different:", Assert.Single(Lines(summary.Output)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_prints_one_object_per_line()
    {
        await Seeder.StoreAsync(_b.Endpoint, [new SeedItem(Utf8("cli:2"), Utf8("value 2"), 99)]);

        var (code, output, _) = await CliRunner.RunAsync("compare", "--reference", _a.Endpoint, "--difference", _b.Endpoint, "--json");

        Assert.Equal(1, code);
        var lines = Lines(output);
        Assert.Equal(2, lines.Length);
        using var difference = JsonDocument.Parse(lines[0]);
        Assert.Equal("FlagsMismatch", difference.RootElement.GetProperty("kind").GetString());
        Assert.Equal("cli:2", difference.RootElement.GetProperty("key").GetString());
        Assert.Equal(99u, difference.RootElement.GetProperty("differenceFlags").GetUInt32());
        using var summary = JsonDocument.Parse(lines[1]);
        Assert.Equal(50, summary.RootElement.GetProperty("compared").GetInt64());
        Assert.Equal(1, summary.RootElement.GetProperty("flagsMismatch").GetInt64());
    }

    [Fact]
    public async Task An_unreachable_server_exits_2()
    {
        var (code, _, errors) = await CliRunner.RunAsync("compare", "--reference", _a.Endpoint, "--difference", FreePort.Closed(), "--connect-timeout", "2");

        Assert.Equal(2, code);
        Assert.Contains("error:", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_arguments_exit_2()
    {
        Assert.Equal(2, (await CliRunner.RunAsync("compare", "--reference", _a.Endpoint)).Code);
        Assert.Equal(2, (await CliRunner.RunAsync("compare", "--reference", _a.Endpoint, "--reference-path", _root, "--difference", _b.Endpoint)).Code);
        Assert.Equal(2, (await CliRunner.RunAsync("compare", "--reference", _a.Endpoint, "--difference", _b.Endpoint, "--sample", "0")).Code);
        var (code, _, errors) = await CliRunner.RunAsync("compare", "--reference", "./no/such/dump", "--difference", _b.Endpoint);
        Assert.Equal(2, code);
        Assert.Contains("DumpNotFound", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_path_is_a_dump()
    {
        var dump = Path.Combine(_root, "dump");
        var sink = new CollectingSink();
        await ExportService.RunAsync(new ExportOptions { Servers = [_a.ServerEndpoint], Path = dump }, sink, CancellationToken.None);
        Assert.Empty(sink.Errors);

        var detected = await CliRunner.RunAsync("compare", "--reference", dump, "--difference", _b.Endpoint);
        var explicitPath = await CliRunner.RunAsync("compare", "--reference-path", dump, "--difference", _b.Endpoint);
        var dumpAsDifference = await CliRunner.RunAsync("compare", "--reference", _b.Endpoint, "--difference-path", dump, "--sample", "0.5");

        Assert.True(detected.Code == 0, detected.Errors);
        Assert.Contains(Path.GetFullPath(dump) + " vs " + _b.Endpoint, detected.Output, StringComparison.Ordinal);
        Assert.True(explicitPath.Code == 0, explicitPath.Errors);
        Assert.True(dumpAsDifference.Code == 0, dumpAsDifference.Errors);
        Assert.Contains("sampled 50% of keys", dumpAsDifference.Output, StringComparison.Ordinal);
    }
}
