using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Secured;

/// <summary>
/// Issue 16's TLS acceptance, through the CLI as an operator runs it: a round trip of 20,000 reference keys
/// from a tls:// source to a --tls target is exact, and a move and a comparison mix a TLS side with a plain one.
/// </summary>
public sealed class TlsAcceptanceTests(TlsServers servers) : IClassFixture<TlsServers>
{
    private const int Count = 20_000;

    private string CaFile => servers.Certificates.CaFile;

    [Fact]
    public async Task A_round_trip_of_20000_reference_keys_from_a_tls_source_to_a_tls_target_is_exact()
    {
        using var source = MemcachedProcess.StartTls(servers.Certificates.Server, memoryMb: 256);
        using var target = MemcachedProcess.StartTls(servers.Certificates.Server, memoryMb: 256);
        var loaded = await DataSetLoader.LoadAsync(source, 0, Count, timeout: TimeSpan.FromMinutes(2));
        Assert.Equal(Count, loaded.Items);
        var folder = Directory.CreateTempSubdirectory("memcacheops-tls-dump-").FullName;
        try
        {
            var dump = Path.Combine(folder, "dump");
            var export = await CliRunner.RunAsync("export", "--server", source.TlsServerEndpoint.ToString(), "--tls-ca-file", CaFile, "--path", dump, "--quiet");
            Assert.True(export.Code == 0, export.Errors + export.Output);
            Assert.Contains("listed 20,000, dumped 20,000, missing 0", export.Output, StringComparison.Ordinal);

            // The target is named without tls://: --tls makes every server TLS.
            var import = await CliRunner.RunAsync("import", "--path", dump, "--server", $"127.0.0.1:{target.TlsPort}", "--tls", "--tls-ca-file", CaFile, "--quiet");
            Assert.True(import.Code == 0, import.Errors + import.Output);

            // Checked over the target's plain listener, independently of the engine: values and flags exact...
            var check = await DataSetLoader.VerifyAsync(target, 0, Count);
            Assert.True(check.IsComplete, check.ToString());
            Assert.Equal(Count, check.Ok);
            // ... and the remaining TTLs kept (odd items were stored with 3600 s).
            var items = await ItemReader.ReadAsync(target.Endpoint, Enumerable.Range(0, 200).Select(n => ReferenceDataSet.Key(n)));
            for (var n = 0; n < 200; n++)
            {
                var ttl = items[ItemReader.Id(ReferenceDataSet.Key(n))].Ttl;
                if (n % 2 == 0)
                    Assert.Equal(-1, ttl);
                else
                    Assert.InRange(ttl, 3600 - 120, 3600);
            }
            Assert.Equal(Count, target.Stat("curr_items"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_move_and_a_comparison_mix_a_tls_side_and_a_plain_side()
    {
        using var source = MemcachedProcess.StartTls(servers.Certificates.Server, memoryMb: 64);
        using var plain = MemcachedProcess.Start(memoryMb: 64);
        await DataSetLoader.LoadAsync(source, 0, 2000, timeout: TimeSpan.FromMinutes(1));
        var tls = source.TlsServerEndpoint.ToString();

        var move = await CliRunner.RunAsync("move", "--source", tls, "--destination", plain.Endpoint, "--tls-ca-file", CaFile, "--quiet");
        Assert.True(move.Code == 0, move.Errors + move.Output);
        Assert.Contains("copied 2,000", move.Output, StringComparison.Ordinal);

        var equal = await CliRunner.RunAsync("compare", "--reference", tls, "--difference", plain.Endpoint, "--tls-ca-file", CaFile, "--summary", "--quiet");
        Assert.True(equal.Code == 0, equal.Errors + equal.Output);
        Assert.StartsWith("equal: 2,000 keys compared", equal.Output, StringComparison.Ordinal);

        // One value changed on the plain side: the comparison finds exactly it, in both directions.
        var key = System.Text.Encoding.ASCII.GetString(ReferenceDataSet.Key(7));
        Assert.Equal("STORED\r\n", plain.Send($"set {key} {ReferenceDataSet.Flags(7)} 0 7\r\nchanged\r\n"));
        var different = await CliRunner.RunAsync("compare", "--reference", plain.Endpoint, "--difference", tls, "--tls-ca-file", CaFile, "--json", "--quiet");
        Assert.True(different.Code == 1, different.Errors + different.Output);
        var line = Assert.Single(different.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("\"kind\"", StringComparison.Ordinal));
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Contains("ValueMismatch", line, StringComparison.Ordinal);
    }
}
