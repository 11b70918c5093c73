using System.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.ExportImport;

/// <summary>An export killed midway and resumed has every key exactly once.</summary>
public sealed class ResumeTests : IAsyncLifetime
{
    private const int Items = 20_000;
    private MemcachedProcess _source = null!;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mo-resume-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        _source = MemcachedProcess.Start(memoryMb: 64);
        await Seeder.StoreAsync(_source.Endpoint, Seeder.Numbered("resume:", Items, 100));
    }

    public Task DisposeAsync()
    {
        _source.Dispose();
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Killed_export_resumes_without_redoing_or_duplicating()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "memcacheops.dll");
        // Throttled so the kill lands mid-dump; small key files so some finish before it.
        var first = Process.Start(new ProcessStartInfo("dotnet", $"\"{cli}\" export --server {_source.Endpoint} --path \"{_dir}\" --key-file-size 16384 --connections 2 --max-ops-per-second 4000 --quiet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        DumpManifest? seen = null;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            try
            {
                seen = ManifestStore.Read(_dir);
                // Killed after the listing finished (an export killed during the listing starts over, by design).
                if (seen.ListingComplete && seen.KeyFiles.Count(k => k.Fetched) >= 2)
                    break;
            }
            catch (Engine.MemcacheException)
            {
                // not written yet
            }
        }
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        Assert.NotNull(seen);
        var before = ManifestStore.Read(_dir);
        Assert.False(before.Complete, "the export finished before it could be killed; slow it down");
        var fetchedBefore = before.KeyFiles.Where(k => k.Fetched).Select(k => k.Name).ToHashSet();
        var filesBefore = before.Files.ToDictionary(f => f.Name, f => f.ChecksumFor(before.ChecksumKind));

        var (code, output, errors) = await CliRunner.RunAsync("export", "--server", _source.Endpoint, "--path", _dir, "--resume", "--quiet");
        Assert.True(code == 0, output + errors);
        var after = ManifestStore.Read(_dir);
        Assert.True(after.Complete);
        // Finished key files were not redone: their data files are the very same.
        foreach (var (name, sha) in filesBefore)
            Assert.Equal((name, sha), (name, after.Files.Single(f => f.Name == name).ChecksumFor(after.ChecksumKind)));
        Assert.Superset(fetchedBefore, after.KeyFiles.Where(k => k.Fetched).Select(k => k.Name).ToHashSet());

        // Every key exactly once across the data files, and no stray files.
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var records = 0;
        foreach (var file in after.Files)
        {
            using var reader = new DataFileReader(Path.Combine(_dir, NativeLayout.DataFolder, file.Name));
            while (reader.TryReadNext(out var record))
            {
                records++;
                Assert.True(keys.Add(ItemReader.Id(record.Key)), "duplicate record");
            }
        }
        Assert.Equal(Items, records);
        Assert.Equal(Items, after.Totals.Dumped);
        Assert.Equal(after.Files.Count, Directory.GetFiles(Path.Combine(_dir, NativeLayout.DataFolder)).Length);
    }
}
