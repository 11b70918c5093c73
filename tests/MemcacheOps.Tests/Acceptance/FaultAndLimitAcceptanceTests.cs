using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;
using MemcacheOps.Tests.Throttling;
using Xunit.Abstractions;

namespace MemcacheOps.Tests.Acceptance;

/// <summary>
/// Issue 15's acceptance check on the 200,000-key reference set, through the CLI as an operator runs it: an
/// export whose source freezes gives up within 8 s, and -Resume then finishes it exactly.
/// </summary>
[Collection(ReferenceSetCollection.Name)]
public sealed class FrozenExportAcceptanceTests(ReferenceSetFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-acceptance-15-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_export_whose_source_freezes_fails_within_8_s_and_resume_finishes_it_exactly()
    {
        var source = fixture.Source;
        var dump = Path.Combine(_folder, "frozen");
        // The repro: about 6.7 s of fetching at 30,000 gets/s, frozen 2.5 s in.
        var export = CliRunner.RunAsync("export", "--server", source.Endpoint, "--path", dump, "--max-ops-per-second", "30000", "--timeout", "3", "--quiet");
        await Task.WhenAny(export, Task.Delay(TimeSpan.FromSeconds(2.5)));
        Assert.False(export.IsCompleted, "the export ended before the server froze");
        var frozen = Stopwatch.StartNew();
        source.Freeze();
        try
        {
            var ended = await Task.WhenAny(export, Task.Delay(TimeSpan.FromSeconds(60)));
            var took = frozen.Elapsed;
            Assert.Same(export, ended);
            var (code, stdout, stderr) = await export;
            output.WriteLine($"returned {took.TotalSeconds:0.00} s after the freeze, exit {code}: {stderr.Trim()}");
            Assert.True(took < TimeSpan.FromSeconds(8), $"the export returned {took.TotalSeconds:0.0} s after the server froze");
            Assert.Equal(2, code);
            Assert.Contains(source.Endpoint, stderr, StringComparison.Ordinal);
            Assert.Contains("sent nothing for 3 s", stderr, StringComparison.Ordinal);
            Assert.Contains("--resume", stderr, StringComparison.Ordinal);
            Assert.StartsWith("INCOMPLETE", stdout, StringComparison.Ordinal);
        }
        finally
        {
            source.Thaw();
        }

        var resumed = await CliRunner.RunAsync("export", "--server", source.Endpoint, "--path", dump, "--resume", "--quiet");
        output.WriteLine(resumed.Output);
        Assert.True(resumed.Code == 0, resumed.Errors);
        Assert.StartsWith("complete", resumed.Output, StringComparison.Ordinal);
        Assert.Contains("dumped 200,000, missing 0", resumed.Output, StringComparison.Ordinal);

        using var target = MemcachedProcess.Start(memoryMb: 1024);
        var import = await CliRunner.RunAsync("import", "--path", dump, "--server", target.Endpoint, "--quiet");
        Assert.True(import.Code == 0, import.Errors);
        var check = await DataSetLoader.VerifyAsync(target, 0, ReferenceSetFixture.Count);
        Assert.Equal(ReferenceSetFixture.Count, check.Ok);
        var ttls = await ItemReader.ReadAsync(target.Endpoint, Enumerable.Range(0, 2000).Select(n => ReferenceDataSet.Key(n)));
        for (var n = 0; n < 2000; n++)
        {
            var ttl = ttls[ItemReader.Id(ReferenceDataSet.Key(n))].Ttl;
            if (n % 2 == 0)
                Assert.Equal(-1, ttl);
            else
                Assert.InRange(ttl, 1, ReferenceDataSet.OddItemTtlSeconds);
        }
    }

}

/// <summary>
/// Issue 15's acceptance check of the bytes/s limit on the reference set, through the CLI: at 100 MB/s the export
/// and the import of its 535 MiB of values take 5.05 to 6.2 s. It measures wall time against a tight window, so it
/// runs alone (the real-clock collection), with its own copy of the set.
/// </summary>
[Collection(RealClockCollection.Name)]
public sealed class ByteLimitAcceptanceTests(ReferenceSetFixture fixture, ITestOutputHelper output) : IClassFixture<ReferenceSetFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("memcacheops-acceptance-15-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_export_and_an_import_at_100_MB_per_second_take_5_05_to_6_2_s()
    {
        // The set was just loaded, so the server's hash table is due to grow, and a listing waits for that first
        // (see HashTableGrowth): a property of a freshly loaded server, not of the limit. Let it settle.
        var (connection, _) = await ServerProbe.ConnectAsync(fixture.Source.ServerEndpoint, null, CancellationToken.None);
        using (connection)
            await HashTableGrowth.WaitUntilSettledAsync(connection, null, new ListingOptions(), new CollectingSink(), CancellationToken.None);

        var dump = Path.Combine(_folder, "limited");
        var clock = Stopwatch.StartNew();
        var export = await CliRunner.RunAsync("export", "--server", fixture.Source.Endpoint, "--path", dump, "--max-bytes-per-second", "100000000", "--quiet");
        var exportTime = clock.Elapsed;
        Assert.True(export.Code == 0, export.Errors);
        Assert.Contains("dumped 200,000", export.Output, StringComparison.Ordinal);

        using var target = MemcachedProcess.Start(memoryMb: 1024);
        clock.Restart();
        var import = await CliRunner.RunAsync("import", "--path", dump, "--server", target.Endpoint, "--max-bytes-per-second", "100000000", "--quiet");
        var importTime = clock.Elapsed;
        Assert.True(import.Code == 0, import.Errors);
        Assert.Equal(ReferenceSetFixture.Count, (long)target.Stat("curr_items"));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"561,081,167 value bytes at 100 MB/s: export {exportTime.TotalSeconds:0.000} s, import {importTime.TotalSeconds:0.000} s"));
        Assert.InRange(exportTime.TotalSeconds, 5.05, 6.2);
        Assert.InRange(importTime.TotalSeconds, 5.05, 6.2);
    }
}
