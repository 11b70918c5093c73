using System.Diagnostics;
using System.Globalization;
using MemcacheOps.Adapters.Cloud;
using MemcacheOps.Engine.Cloud;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Distributed;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Import;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Cloud;

namespace MemcacheOps.Tests.Distributed;

/// <summary>
/// The distributed warm-up end to end against real memcached servers and the S3/SQS emulators: an export ships
/// the reference data set to S3 and announces each chunk; two consumers at once drain the queue into two nodes
/// with ketama routing; and a consumer killed in the middle of a chunk loses nothing.
/// </summary>
/// <remarks>
/// The main test moves the whole 200,000-key reference set (535 MiB of values, 59 chunks of 16 MiB, each uploaded
/// in parts): about 40 s on this project's two-core machines, most of it loading and checking. Set
/// MEMCACHEOPS_WARMUP_KEYS (for instance to 20000) for a quicker run on a slower machine.
/// </remarks>
[Collection(CloudEmulatorCollection.Name)]
public sealed class WarmUpEndToEndTests(CloudEmulators emulators) : IDisposable
{
    private static readonly long Keys = long.TryParse(Environment.GetEnvironmentVariable("MEMCACHEOPS_WARMUP_KEYS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : ReferenceDataSet.DefaultCount;

    private readonly WarmUpKit _kit = new(emulators);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(Keys > 50_000 ? 10 : 5));

    public void Dispose()
    {
        _timeout.Dispose();
        _kit.Dispose();
    }

    private CancellationToken Token => _timeout.Token;

    /// <summary>Memory for a node holding the whole set (values plus item overhead), or half of it.</summary>
    private static int NodeMemoryMb(double share) => (int)Math.Max(64, Keys * 2_700 * 1.6 * share / (1024 * 1024) + 32);

    [Fact]
    public async Task TwoConsumersDrainAnExportIntoTwoNodesWithEveryKeyOnItsOwner()
    {
        using var source = MemcachedProcess.Start(memoryMb: NodeMemoryMb(1));
        using var nodeA = MemcachedProcess.Start(memoryMb: NodeMemoryMb(0.75));
        using var nodeB = MemcachedProcess.Start(memoryMb: NodeMemoryMb(0.75));
        await DataSetLoader.LoadAsync(source, 0, Keys, cancellationToken: Token);
        var queueUrl = await _kit.CreateQueueAsync(Token);
        var clock = Stopwatch.StartNew();

        var exportSink = new CollectingSink();
        // Chunks of 16 MiB (6 MiB for small sets, so there are still several) go up in parts of 5 MiB.
        var export = _kit.Export(source, "e2e", dataFileSize: Keys > 50_000 ? 16L << 20 : 6L << 20);
        var exported = await DistributedExport.RunAsync(export, _kit.Publish(), _kit.Clients, exportSink, Token);
        var exportTime = clock.Elapsed;

        Assert.Empty(exportSink.Errors);
        Assert.True(exported.Complete);
        Assert.Equal(Keys, exported.Dumped);
        Assert.True(exported.Files > 3, $"only {exported.Files} data files");
        Assert.Equal(exported.Files, exported.Uploaded);
        Assert.Equal(exported.Files, exported.Announced);
        Assert.Equal($"s3://{WarmUpKit.Bucket}/{_kit.Prefix}/req-e2e/", exported.Destination);
        // -RemoveLocal: every data file is gone from disk once shipped; the manifest stays.
        Assert.All(exported.DataFiles, file => Assert.False(File.Exists(file), file));
        Assert.True(File.Exists(Path.Combine(export.Path, "manifest.json")));

        using (var store = new S3ChunkStore(_kit.S3))
        {
            var objects = new List<StoredObject>();
            await foreach (var item in store.ListAsync(WarmUpKit.Bucket, _kit.Prefix + "/", Token))
                objects.Add(item);
            Assert.Equal(exported.Files + 1, objects.Count);
            Assert.Contains(objects, o => o.Location.Key == $"{_kit.Prefix}/req-e2e/manifest.json");
            var first = objects.First(o => o.Location.Key.EndsWith(".v0", StringComparison.Ordinal));
            var details = await store.GetDetailsAsync(first.Location, Token);
            var announcement = DumpChunkMessageParser.Parse(details!.Metadata["cachedumpchunk"], new HashSet<string> { WarmUpKit.Bucket }).Announcement;
            Assert.NotNull(announcement);
            Assert.Equal("req-e2e", announcement.ReqId);
            Assert.Equal(first.Location, announcement.Location);
            Assert.Equal(first.Size, announcement.Bytes);
            Assert.Equal(announcement.Records, announcement.KeysCount);
        }

        clock.Restart();
        var sinkA = new CollectingSink();
        var sinkB = new CollectingSink();
        var targets = new[] { nodeA, nodeB };
        var consumers = await Task.WhenAll(
            QueueConsumer.RunAsync(_kit.Consumer(targets, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30)), _kit.Clients, sinkA, Token),
            QueueConsumer.RunAsync(_kit.Consumer(targets, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30)), _kit.Clients, sinkB, Token));
        var importTime = clock.Elapsed;

        Assert.Empty(sinkA.Errors);
        Assert.Empty(sinkB.Errors);
        Assert.All(consumers, c => Assert.True(c.Success, $"{c.Failed} failed, {c.Refused} refused, {c.Poison} poison"));
        Assert.All(consumers, c => Assert.Equal("Idle", c.StopReason));
        Assert.Equal(exported.Files, consumers.Sum(c => c.Imported));
        Assert.Equal(Keys, consumers.Sum(c => c.Read));
        Assert.Equal(Keys, consumers.Sum(c => c.Stored));
        // Each consumer reports each chunk it imported as it goes.
        Assert.Equal(exported.Files, sinkA.ResultsOf<ImportResult>().Count() + sinkB.ResultsOf<ImportResult>().Count());

        var differences = await WarmUpKit.DifferencesAsync(targets, Keys);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        using var queue = new SqsWorkQueue(_kit.Sqs);
        Assert.Empty(await queue.ReceiveMessagesAsync(queueUrl, 10, TimeSpan.FromSeconds(30), TimeSpan.Zero, Token));
        Console.WriteLine($"warm-up of {Keys} keys: export+upload {exportTime.TotalSeconds:0.0} s, {exported.Files} chunks, {exported.UploadedBytes >> 20} MiB; two consumers {importTime.TotalSeconds:0.0} s ({consumers[0].Imported}+{consumers[1].Imported} chunks)");
    }

    [Fact]
    public async Task AConsumerKilledInTheMiddleOfAChunkLosesNothing()
    {
        const long count = 6_000;
        using var source = MemcachedProcess.Start(memoryMb: 128);
        using var nodeA = MemcachedProcess.Start(memoryMb: 64);
        using var nodeB = MemcachedProcess.Start(memoryMb: 64);
        await DataSetLoader.LoadAsync(source, 0, count, cancellationToken: Token);
        await _kit.CreateQueueAsync(Token);
        var exported = await DistributedExport.RunAsync(_kit.Export(source, "kill", dataFileSize: 1L << 20), _kit.Publish(), _kit.Clients, new CollectingSink(), Token);
        Assert.True(exported.Files >= 4, $"only {exported.Files} chunks");

        // A consumer in its own process, slowed to 200 writes a second per node so its first chunk (about 400
        // records) takes about a second; it is killed (no clean-up of any kind) once it has started importing.
        var work = Path.Combine(_kit.Folder, "killed");
        using var child = StartCliConsumer(nodeA, nodeB, work);
        bool exitedOnItsOwn;
        try
        {
            await child.WaitForLineAsync(line => line.Contains("verbose: Importing s3://", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromMilliseconds(300), Token);
        }
        finally
        {
            exitedOnItsOwn = child.HasExited;
            child.Kill();
        }
        Assert.False(exitedOnItsOwn, child.Output);

        // Another consumer finishes everything: the killed one's message comes back after its 4 s visibility timeout.
        var sink = new CollectingSink();
        var result = await QueueConsumer.RunAsync(_kit.Consumer([nodeA, nodeB], TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(30)), _kit.Clients, sink, Token);

        Assert.Empty(sink.Errors);
        Assert.True(result.Redelivered >= 1, $"no message came back: {result.Received} received");
        Assert.True(result.Imported >= exported.Files - 1, $"{result.Imported} of {exported.Files} chunks imported");
        var differences = await WarmUpKit.DifferencesAsync([nodeA, nodeB], count);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    private ChildConsumer StartCliConsumer(MemcachedProcess nodeA, MemcachedProcess nodeB, string workFolder)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["MEMCACHEOPS_VERBOSE"] = "1";
        foreach (var argument in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "memcacheops.dll"), "import",
                     "--sqs-queue", _kit.QueueName, "--s3-bucket", WarmUpKit.Bucket,
                     "--server", $"{nodeA.Endpoint},{nodeB.Endpoint}",
                     "--endpoint-url", emulators.S3Endpoint, "--sqs-endpoint-url", emulators.SqsEndpoint, "--region", "us-east-1",
                     "--access-key", CloudEmulators.S3AccessKey, "--secret-key", CloudEmulators.S3SecretKey,
                     "--visibility-timeout", "4", "--idle-timeout", "60", "--file-parallelism", "1", "--max-ops-per-second", "200",
                     "--work-folder", workFolder, "--quiet",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        return ChildConsumer.Start(start);
    }

    /// <summary>The CLI consumer as a child process, with its output collected line by line.</summary>
    private sealed class ChildConsumer : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _waiters = [];

        private ChildConsumer(Process process) => _process = process;

        public string Output
        {
            get
            {
                lock (_lines)
                    return string.Join("\n", _lines);
            }
        }

        public static ChildConsumer Start(ProcessStartInfo start)
        {
            var process = new Process { StartInfo = start };
            var child = new ChildConsumer(process);
            process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lines)
            {
                if (_lines.Any(match))
                    return;
                _waiters.Add((match, seen));
            }
            try
            {
                await seen.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"The child consumer printed no matching line within {timeout.TotalSeconds:0} s (exited: {_process.HasExited}). Its output:\n{Output}");
            }
        }

        public bool HasExited => _process.HasExited;

        public void Kill()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }

        private void OnLine(string? line)
        {
            if (line is null)
                return;
            lock (_lines)
            {
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                {
                    waiter.Seen.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}
