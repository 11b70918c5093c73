using System.Diagnostics;
using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Export;
using MemcacheOps.Engine.Import;
using MemcacheOps.Engine.Storing;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.ExportImport;

/// <summary>Bad input gets a clear error, loses nothing, and the counts stay true.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private MemcachedProcess _source = null!;
    private MemcachedProcess _target = null!;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mo-bad-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        _source = MemcachedProcess.Start(memoryMb: 64);
        _target = MemcachedProcess.Start(memoryMb: 64);
        await Seeder.StoreAsync(_source.Endpoint, Seeder.Numbered("bad:", 3000, 200));
    }

    public Task DisposeAsync()
    {
        _source.Dispose();
        _target.Dispose();
        if (Directory.Exists(_root))
            Directory.Delete(_root, true);
        return Task.CompletedTask;
    }

    private async Task<string> ExportAsync(string name)
    {
        var dir = Path.Combine(_root, name);
        await ExportService.RunAsync(new ExportOptions { Servers = [_source.ServerEndpoint], Path = dir, KeyFileSize = 32 * 1024 }, new CollectingSink(), CancellationToken.None);
        return dir;
    }

    private static string[] DataFiles(string dir) => Directory.GetFiles(Path.Combine(dir, NativeLayout.DataFolder)).OrderBy(f => f, StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task An_export_from_a_closed_port_fails_with_a_connection_error_and_leaves_no_complete_dump()
    {
        // The fetch workers connect at the start, alongside the listing: either may meet the closed port first.
        var closed = ServerEndpoint.Parse("127.0.0.1:" + LoopbackPorts.Take());
        var dir = Path.Combine(_root, "closed");
        var sink = new CollectingSink();

        var ex = await Assert.ThrowsAsync<MemcacheException>(() =>
            ExportService.RunAsync(new ExportOptions { Servers = [closed], Path = dir, Connections = 2 }, sink, CancellationToken.None));

        Assert.Equal(MemcacheErrorKind.ConnectionFailed, ex.Kind);
        Assert.Contains(closed.ToString(), ex.Message, StringComparison.Ordinal);
        var partial = Assert.IsType<ExportResult>(Assert.Single(sink.Results));
        Assert.False(partial.Complete);
        Assert.Equal(0, partial.Dumped);
        // The first manifest may or may not have been written before the failure stopped the export.
        if (File.Exists(NativeLayout.ManifestPath(dir)))
            Assert.False(ManifestStore.Read(dir).Complete);
    }

    [Fact]
    public async Task Truncated_and_flipped_files_are_reported_and_not_loaded_while_the_others_load()
    {
        var dir = await ExportAsync("damaged");
        var manifest = ManifestStore.Read(dir);
        var files = DataFiles(dir);
        Assert.True(files.Length >= 3);
        // Truncate one file, flip one byte in another.
        using (var stream = new FileStream(files[0], FileMode.Open))
            stream.SetLength(stream.Length - 7);
        var bytes = await File.ReadAllBytesAsync(files[1]);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(files[1], bytes);
        var damagedRecords = manifest.Files.Where(f => files[..2].Select(Path.GetFileName).Contains(f.Name)).Sum(f => f.Records);

        var sink = new CollectingSink();
        var result = await ImportService.RunAsync(new ImportOptions { Paths = [dir], Servers = [_target.ServerEndpoint] }, sink, CancellationToken.None);
        Assert.Equal(2, sink.Errors.Count);
        Assert.Contains(sink.Errors, e => e.ErrorId == "DumpFileCorrupt" && e.Message.Contains(Path.GetFileName(files[0]), StringComparison.Ordinal));
        Assert.Contains(sink.Errors, e => e.ErrorId == "DumpChecksumMismatch");
        Assert.Equal(2, result.FailedFiles.Count);
        Assert.False(result.Success);
        Assert.Equal(3000 - damagedRecords, result.Stored);
        Assert.Equal(result.Stored, result.Read);
        var stats = _target.Send("stats\r\n", "END\r\n");
        Assert.Contains($"STAT curr_items {result.Stored}\r\n", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_manifest_is_a_clear_error()
    {
        var dir = await ExportAsync("nomanifest");
        File.Delete(Path.Combine(dir, NativeLayout.ManifestFileName));
        var ex = await Assert.ThrowsAsync<MemcacheException>(() => ImportService.RunAsync(new ImportOptions { Paths = [dir], Servers = [_target.ServerEndpoint] }, new CollectingSink(), CancellationToken.None));
        Assert.StartsWith("Dump", ex.ErrorId, StringComparison.Ordinal);
        Assert.Contains(dir, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_yaml_key_names_the_line()
    {
        Directory.CreateDirectory(_root);
        var config = Path.Combine(_root, "bad.yaml");
        await File.WriteAllTextAsync(config, $"ip: 127.0.0.1\nport: {_source.Port}\noutput_dir: {_root}/y\nthreadz: 4\n");
        var (code, _, errors) = await CliRunner.RunAsync("export", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("threadz", errors, StringComparison.Ordinal);
        Assert.Contains("line 4", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unwritable_path_is_a_clear_error()
    {
        Directory.CreateDirectory(_root);
        var file = Path.Combine(_root, "a-file");
        await File.WriteAllTextAsync(file, "x");
        var ex = await Assert.ThrowsAsync<MemcacheException>(() => ExportService.RunAsync(
            new ExportOptions { Servers = [_source.ServerEndpoint], Path = Path.Combine(file, "dump") }, new CollectingSink(), CancellationToken.None));
        Assert.Equal(MemcacheErrorKind.WriteFailed, ex.Kind);
        Assert.Contains("a-file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_disk_fails_clearly_keeps_finished_files_and_resumes_elsewhere_after_space_is_freed()
    {
        using (var disk = new SmallTmpfs(Path.Combine(_root, "tiny"), "300k"))
        {
            var dir = Path.Combine(disk.Path, "dump");
            var sink = new CollectingSink();
            var ex = await Assert.ThrowsAsync<MemcacheException>(() => ExportService.RunAsync(
                new ExportOptions { Servers = [_source.ServerEndpoint], Path = dir, KeyFileSize = 16 * 1024, Connections = 1 }, sink, CancellationToken.None));
            Assert.Equal("DumpWriteFailed", ex.ErrorId);
            Assert.Contains("disk", ex.Message, StringComparison.OrdinalIgnoreCase);
            var partial = Assert.Single(sink.ResultsOf<ExportResult>());
            Assert.False(partial.Complete);
            var manifest = ManifestStore.Read(dir);
            Assert.False(manifest.Complete);
            // Everything the manifest lists is whole; nothing half-written is listed.
            foreach (var file in manifest.Files)
                DumpChecksum.Verify(Path.Combine(dir, NativeLayout.DataFolder, file.Name), manifest.ChecksumKind, file.ChecksumFor(manifest.ChecksumKind)!);
            Assert.Equal(partial.Dumped, manifest.Files.Sum(f => f.Records));
        }
    }

    [Fact]
    public async Task A_disk_full_before_the_first_manifest_fails_clearly_and_claims_nothing()
    {
        // The first manifest is written while the listing connects; when the disk is already full, that
        // write (or the first key file) fails, the export stops with the disk error and reports nothing dumped.
        using (var disk = new SmallTmpfs(Path.Combine(_root, "full"), "64k"))
        {
            var dir = Path.Combine(disk.Path, "dump");
            Directory.CreateDirectory(dir);
            Run("sh", $"-c \"dd if=/dev/zero of={disk.Path}/filler bs=4k 2>/dev/null; true\"");
            var sink = new CollectingSink();
            var ex = await Assert.ThrowsAsync<MemcacheException>(() => ExportService.RunAsync(
                new ExportOptions { Servers = [_source.ServerEndpoint], Path = dir, Connections = 1 }, sink, CancellationToken.None));
            Assert.Equal("DumpWriteFailed", ex.ErrorId);
            Assert.Contains("disk", ex.Message, StringComparison.OrdinalIgnoreCase);
            var partial = Assert.Single(sink.ResultsOf<ExportResult>());
            Assert.False(partial.Complete);
            Assert.Equal(0, partial.Dumped);
            Assert.Empty(Directory.EnumerateFiles(dir, "*.v0", SearchOption.AllDirectories)); // no data file taken as finished
        }
    }

    [Fact]
    public async Task Target_out_of_memory_is_counted_and_explained()
    {
        // 2000 values of 5 KB (10 MB) into a server that has 4 MB and is told (-M) to refuse rather than evict.
        using var bigSource = MemcachedProcess.Start(memoryMb: 64);
        await Seeder.StoreAsync(bigSource.Endpoint, Seeder.Numbered("oom:", 2000, 5000));
        var dir = Path.Combine(_root, "oom");
        await ExportService.RunAsync(new ExportOptions { Servers = [bigSource.ServerEndpoint], Path = dir }, new CollectingSink(), CancellationToken.None);
        using var small = MemcachedProcess.Start("-M", memoryMb: 4);
        var result = await ImportService.RunAsync(new ImportOptions { Paths = [dir], Servers = [small.ServerEndpoint], Mode = StoreMode.Set }, new CollectingSink(), CancellationToken.None);
        Assert.True(result.Failed > 0, "expected out-of-memory failures");
        Assert.Equal(2000, result.Stored + result.Failed);
        Assert.Contains(result.Notes, n => n.Contains("out of memory", StringComparison.Ordinal));
        Assert.False(result.Success);
        Assert.Contains($"STAT curr_items {result.Stored}\r\n", small.Send("stats\r\n", "END\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_large_items_are_skipped_and_never_sent()
    {
        var dir = Path.Combine(_root, "large");
        await Seeder.StoreAsync(_source.Endpoint, [new SeedItem(Encoding.UTF8.GetBytes("big:1"), new byte[600_000], 0)]);
        try
        {
            await ExportService.RunAsync(new ExportOptions { Servers = [_source.ServerEndpoint], Path = dir }, new CollectingSink(), CancellationToken.None);
            using var small = MemcachedProcess.Start("-I 512k", memoryMb: 64);
            await Seeder.StoreAsync(small.Endpoint, [new SeedItem(Encoding.UTF8.GetBytes("big:1"), Encoding.UTF8.GetBytes("keep me"), 0)]);
            var result = await ImportService.RunAsync(new ImportOptions { Paths = [dir], Servers = [small.ServerEndpoint], Mode = StoreMode.Set }, new CollectingSink(), CancellationToken.None);
            Assert.Equal(1, result.TooLarge);
            // The target's own copy was not deleted by an oversized write.
            var kept = await ItemReader.ReadAsync(small.Endpoint, [Encoding.UTF8.GetBytes("big:1")]);
            Assert.Equal("keep me", Encoding.UTF8.GetString(kept.Values.Single().Value));
        }
        finally
        {
            _source.Send("delete big:1\r\n");
        }
    }

    /// <summary>A small tmpfs mounted for a full-disk test; unmounted lazily, so a failing test never leaves a mount behind.</summary>
    private sealed class SmallTmpfs : IDisposable
    {
        public SmallTmpfs(string path, string size)
        {
            Path = path;
            Directory.CreateDirectory(path);
            Run("mount", $"-t tmpfs -o size={size} tmpfs {path}");
        }

        public string Path { get; }

        public void Dispose() => Run("umount", "-l " + Path);
    }

    private static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        process.WaitForExit(10_000);
        Assert.True(process.ExitCode == 0, $"{file} {arguments} failed: {process.StandardError.ReadToEnd()} (the full-disk test needs root to mount a small tmpfs)");
    }
}
