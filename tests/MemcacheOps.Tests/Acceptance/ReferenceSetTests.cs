using System.Globalization;
using MemcacheOps.Engine.Compare;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Acceptance;

/// <summary>The issues' acceptance checks on the 200,000-key reference data set.</summary>
[Collection(ReferenceSetCollection.Name)]
public sealed class ReferenceSetTests(ReferenceSetFixture fixture)
{
    [Fact]
    public async Task Keys_count_prints_200000()
    {
        var (code, output, errors) = await CliRunner.RunAsync("keys", "--server", fixture.Source.Endpoint, "--count");
        Assert.True(code == 0, errors);
        Assert.Equal(ReferenceSetFixture.Count.ToString(CultureInfo.InvariantCulture), output.Trim());
    }

    [Fact]
    public async Task Round_trip_is_exact_for_every_key()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mo-ref-" + Guid.NewGuid().ToString("N"));
        using var target = MemcachedProcess.Start(memoryMb: 1024);
        try
        {
            var sink = new CollectingSink();
            var export = await ExportService.RunAsync(new ExportOptions { Servers = [fixture.Source.ServerEndpoint], Path = dir, MemoryLimit = 64L * 1024 * 1024, KeyFileSize = 1024 * 1024 }, sink, CancellationToken.None);
            Assert.True(export.Complete);
            Assert.Equal(ReferenceSetFixture.Count, export.Listed);
            Assert.Equal(ReferenceSetFixture.Count, export.Dumped);
            Assert.Equal(561_081_167, export.Bytes);

            var import = await ImportService.RunAsync(new ImportOptions { Paths = [dir], Servers = [target.ServerEndpoint], Mode = StoreMode.Add }, sink, CancellationToken.None);
            Assert.Empty(sink.Errors);
            Assert.Equal(ReferenceSetFixture.Count, import.Stored);

            // Compare every key of the two servers: value bytes, flags, TTL within 2 s, nothing extra.
            var summary = await CompareService.RunAsync(new ComparisonOptions
            {
                Reference = CompareSide.FromServers([fixture.Source.ServerEndpoint]),
                Difference = CompareSide.FromServers([target.ServerEndpoint]),
                TtlTolerance = 2,
                Summary = true,
            }, sink, CancellationToken.None);
            Assert.Equal(ReferenceSetFixture.Count, summary.Compared);
            // Checked before the count of equal keys so that a failure says which kind of difference it was.
            Assert.True(summary.IsEqual, $"missing {summary.Missing}, extra {summary.Extra}, value {summary.ValueMismatch}, flags {summary.FlagsMismatch}, TTL {summary.TtlMismatch}; " + string.Join("; ", summary.Notes));
            Assert.Equal(ReferenceSetFixture.Count, summary.Equal);

            // And independently of the engine: the target holds exactly the data set's definition.
            var check = await DataSetLoader.VerifyAsync(target.IPEndPoint, 0, ReferenceSetFixture.Count);
            Assert.Equal(ReferenceSetFixture.Count, check.Ok);
            var ttls = await ItemReader.ReadAsync(target.Endpoint, Enumerable.Range(0, 2000).Select(n => ReferenceDataSet.Key(n)));
            for (var n = 0; n < 2000; n++)
            {
                var ttl = ttls[ItemReader.Id(ReferenceDataSet.Key(n))].Ttl;
                if (n % 2 == 0)
                    Assert.Equal(-1, ttl);
                else
                    Assert.InRange(ttl, 3600 - 60, 3600); // odd items were stored with 3600 s when the fixture loaded
            }
        }
        finally
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, true);
        }
    }
}
