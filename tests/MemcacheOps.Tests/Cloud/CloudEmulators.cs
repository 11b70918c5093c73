using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Tests.Cloud;

/// <summary>
/// Starts the S3 emulator (s3rver) and the SQS emulator (fauxqs) on 127.0.0.1, each on a free port it picks
/// itself and reports, for the tests of the collection; stops both by their process at the end. The emulators
/// are npm packages installed into tests/emulators; when they are missing the tests fail with the command
/// that installs them.
/// </summary>
public sealed class CloudEmulators : IAsyncLifetime
{
    public const string Bucket = "memcacheops-chunks";
    public const string OtherBucket = "memcacheops-other";
    public const string InstallCommand = "npm ci --prefix tests/emulators";

    /// <summary>s3rver's built-in account; it refuses any other access key id (it does not check signatures).</summary>
    public const string S3AccessKey = "S3RVER";
    public const string S3SecretKey = "S3RVER";

    /// <summary>
    /// The access key id the SQS emulator is told to know (besides s3rver's, which commands that share one set of
    /// credentials for both services use); it refuses any other, as SQS refuses an unknown key. Like s3rver it does
    /// not check signatures, so the secret is not checked.
    /// </summary>
    public const string SqsAccessKey = "AKIDFAUXQS";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private EmulatorProcess? _s3;
    private EmulatorProcess? _sqs;
    private string? _s3Folder;

    public string S3Endpoint { get; private set; } = string.Empty;

    public string SqsEndpoint { get; private set; } = string.Empty;

    public CloudOptions S3Options => new()
    {
        AccessKey = S3AccessKey,
        SecretKey = S3SecretKey,
        EndpointUrl = S3Endpoint,
        Region = "us-east-1",
    };

    public CloudOptions SqsOptions => new()
    {
        AccessKey = SqsAccessKey,
        SecretKey = "fauxqs-accepts-any-secret",
        EndpointUrl = SqsEndpoint,
        Region = "us-east-1",
    };

    public async Task InitializeAsync()
    {
        var folder = FindEmulatorFolder();
        _s3Folder = Directory.CreateTempSubdirectory("memcacheops-s3rver-").FullName;
        // s3rver makes listing continuation tokens with DES, which OpenSSL 3 only offers in its legacy provider.
        _s3 = await EmulatorProcess.StartAsync("s3rver",
            ["--openssl-legacy-provider", Path.Combine(folder, "node_modules", "s3rver", "bin", "s3rver.js"), "--directory", _s3Folder, "--address", "127.0.0.1", "--port", "0",
             "--silent", "--configure-bucket", Bucket, "--configure-bucket", OtherBucket],
            new Dictionary<string, string>(), new Regex(@"listening on (\S+):(\d+)"), StartTimeout);
        S3Endpoint = $"http://127.0.0.1:{_s3.Match.Groups[2].Value}";

        _sqs = await EmulatorProcess.StartAsync("fauxqs", [Path.Combine(folder, "fauxqs-loopback.mjs")],
            new Dictionary<string, string>
            {
                ["FAUXQS_PORT"] = "0",
                ["FAUXQS_HOST"] = "localhost",
                ["FAUXQS_LOGGER"] = "false",
                ["FAUXQS_ACCESS_KEYS"] = $"{SqsAccessKey},{S3AccessKey}",
            },
            new Regex(@"fauxqs listening on http://127\.0\.0\.1:(\d+)"), StartTimeout);
        SqsEndpoint = $"http://127.0.0.1:{_sqs.Match.Groups[1].Value}";
    }

    public Task DisposeAsync()
    {
        _s3?.Dispose();
        _sqs?.Dispose();
        if (_s3Folder is not null)
            Directory.Delete(_s3Folder, recursive: true);
        return Task.CompletedTask;
    }

    private static string FindEmulatorFolder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        for (var depth = 0; directory is not null && depth < 12; depth++, directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MemcacheOps.sln")))
            {
                var folder = Path.Combine(directory.FullName, "tests", "emulators");
                foreach (var tool in new[] { "s3rver", "fauxqs" })
                {
                    if (!File.Exists(Path.Combine(folder, "node_modules", ".bin", tool)) && !File.Exists(Path.Combine(folder, "node_modules", ".bin", tool + ".cmd")))
                        throw new InvalidOperationException(
                            $"The {tool} emulator is not installed under {folder}/node_modules/.bin. Install the test emulators from the repository root with: {InstallCommand}");
                }
                return folder;
            }
        }
        throw new InvalidOperationException($"Cannot find the repository root (MemcacheOps.sln) above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class CloudEmulatorCollection : ICollectionFixture<CloudEmulators>
{
    public const string Name = "Cloud emulators";
}

/// <summary>One emulator run by node, with its output kept for error messages; stopped by its own process.</summary>
internal sealed class EmulatorProcess : IDisposable
{
    private readonly Process _process;

    private EmulatorProcess(Process process, Match match)
    {
        _process = process;
        Match = match;
    }

    /// <summary>The readiness line's match (it carries the port).</summary>
    public Match Match { get; }

    public static async Task<EmulatorProcess> StartAsync(string name, string[] arguments, IReadOnlyDictionary<string, string> environment,
        Regex ready, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        var output = new StringBuilder();
        var readiness = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null)
                return;
            lock (output)
                output.AppendLine(line);
            var match = ready.Match(line);
            if (match.Success)
                readiness.TrySetResult(match);
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => readiness.TrySetException(new InvalidOperationException($"{name} exited before it was ready."));
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Cannot start node to run the {name} emulator: {ex.Message}. Install Node.js, then: {CloudEmulators.InstallCommand}", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var match = await readiness.Task.WaitAsync(timeout);
            return new EmulatorProcess(process, match);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            Stop(process);
            string text;
            lock (output)
                text = output.ToString();
            throw new InvalidOperationException($"The {name} emulator did not start within {timeout.TotalSeconds:0} s ({ex.Message}). Its output:\n{text}", ex);
        }
    }

    public void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        process.Dispose();
    }
}
