using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Testing;

/// <summary>
/// A real memcached started as a child process on a free 127.0.0.1 port (not daemonized, so its pid is
/// ours to stop). Tests and benchmarks use it instead of a shared server; a missing memcached binary is an
/// error, never a reason to skip.
/// </summary>
public sealed class MemcachedProcess : IAsyncDisposable, IDisposable
{
    /// <summary>Where Debian installs memcached; PATH is searched when it is not there.</summary>
    public const string DefaultBinary = "/usr/bin/memcached";

    private const int PortAttempts = 5;
    private static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _output;
    private volatile int _stopped;
    private string? _ownedFolder;
    private volatile bool _frozen;

    private MemcachedProcess(Process process, StringBuilder output, int port, string arguments, int? tlsPort, MemcachedUser? user)
    {
        _process = process;
        _output = output;
        Port = port;
        TlsPort = tlsPort;
        User = user;
        Arguments = arguments;
        Pid = process.Id;
        ChildProcessRegistry.Add(process);
    }

    /// <summary>The plain port (with TLS: the notls listener beside the TLS one).</summary>
    public int Port { get; }

    /// <summary>The TLS port when started with <see cref="StartTls"/>; null otherwise.</summary>
    public int? TlsPort { get; }

    /// <summary>The user the server requires (memcached -Y) when started with <see cref="StartWithAuthentication"/>; null otherwise.</summary>
    public MemcachedUser? User { get; }

    /// <summary>"tls://127.0.0.1:&lt;TLS port&gt;" (the test certificates name 127.0.0.1 and localhost).</summary>
    public ServerEndpoint TlsServerEndpoint => new("127.0.0.1", TlsPort ?? throw new InvalidOperationException("This memcached was started without TLS."), tls: true);

    public int Pid { get; }

    /// <summary>"127.0.0.1:&lt;port&gt;".</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public ServerEndpoint ServerEndpoint => new("127.0.0.1", Port);

    public IPEndPoint IPEndPoint => new(IPAddress.Loopback, Port);

    /// <summary>The full argument line memcached was started with.</summary>
    public string Arguments { get; }

    /// <summary>True between <see cref="Freeze"/> and <see cref="Thaw"/>.</summary>
    public bool IsFrozen => _frozen;

    public bool HasExited => _stopped != 0 || _process.HasExited;

    /// <summary>What memcached wrote to stdout and stderr so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>
    /// Starts memcached and waits until it answers <c>version</c>. <paramref name="extraArgs"/> is appended to
    /// <c>-l 127.0.0.1 -p &lt;port&gt; -U 0 -m &lt;memoryMb&gt;</c> (plus <c>-u nobody</c> when running as root).
    /// </summary>
    public static MemcachedProcess Start(string extraArgs = "", int memoryMb = 64, TimeSpan? readyTimeout = null)
        => Start(extraArgs, memoryMb, readyTimeout, tls: null, user: null);

    /// <summary>
    /// Starts memcached with TLS (<c>-Z -o ssl_chain_cert=...,ssl_key=...</c>) on <see cref="TlsPort"/> and a plain
    /// listener beside it on <see cref="Port"/> (<c>-l notls:127.0.0.1:&lt;port&gt;</c>), which the test helpers use.
    /// </summary>
    public static MemcachedProcess StartTls(ServerCertificate certificate, string extraArgs = "", int memoryMb = 64, TimeSpan? readyTimeout = null)
        => Start(extraArgs, memoryMb, readyTimeout, certificate, user: null);

    /// <summary>
    /// Starts memcached with text-protocol authentication (<c>-Y &lt;file&gt;</c> holding <paramref name="user"/>'s
    /// line). The test helpers (<see cref="Send"/>, <see cref="Stat"/>) authenticate first.
    /// </summary>
    public static MemcachedProcess StartWithAuthentication(MemcachedUser user, string extraArgs = "", int memoryMb = 64, TimeSpan? readyTimeout = null)
        => Start(extraArgs, memoryMb, readyTimeout, tls: null, user);

    private static MemcachedProcess Start(string extraArgs, int memoryMb, TimeSpan? readyTimeout, ServerCertificate? tls, MemcachedUser? user)
    {
        var binary = FindBinary();
        var timeout = readyTimeout ?? DefaultReadyTimeout;
        string? lastFailure = null;
        for (var attempt = 1; attempt <= PortAttempts; attempt++)
        {
            var port = PickFreePort();
            int? tlsPort = tls is null ? null : PickFreePort();
            var arguments = string.Create(CultureInfo.InvariantCulture, $"-l 127.0.0.1 -p {tlsPort ?? port} -U 0 -m {memoryMb}");
            if (Environment.IsPrivilegedProcess)
                arguments += " -u nobody";
            if (tls is not null)
                arguments += string.Create(CultureInfo.InvariantCulture, $" -Z -o ssl_chain_cert={tls.CertificateFile},ssl_key={tls.KeyFile} -l notls:127.0.0.1:{port}");
            var authFile = user?.WriteAuthFile();
            if (authFile is not null)
                arguments += " -Y " + authFile;
            if (!string.IsNullOrWhiteSpace(extraArgs))
                arguments += " " + extraArgs.Trim();

            var server = Launch(binary, arguments, port, tlsPort, user);
            server._ownedFolder = authFile is null ? null : Path.GetDirectoryName(authFile);
            var failure = server.WaitUntilReady(timeout);
            if (failure is null)
                return server;
            server.Kill();
            server.Dispose();
            lastFailure = failure;
            // Another process may have taken the port between our probe and memcached's bind: try a new one.
            if (!failure.Contains("bind", StringComparison.OrdinalIgnoreCase) &&
                !failure.Contains("in use", StringComparison.OrdinalIgnoreCase))
                break;
        }
        throw new InvalidOperationException(lastFailure);
    }

    /// <summary>
    /// Kills this memcached (SIGKILL, as a crash) and starts a new, empty one with the same arguments on the same
    /// port(s): what clients see when a server restarts. Returns the new process; this one is stopped.
    /// </summary>
    public MemcachedProcess RestartEmpty(TimeSpan? readyTimeout = null)
    {
        // The new process reads the same authentication file, so it inherits the folder that holds it.
        var folder = _ownedFolder;
        _ownedFolder = null;
        Kill();
        var binary = FindBinary();
        var limit = readyTimeout ?? DefaultReadyTimeout;
        var clock = Stopwatch.StartNew();
        string? failure = null;
        // The port was memcached's a moment ago; binding it again may need a few tries while the kernel lets go.
        while (clock.Elapsed < limit)
        {
            var server = Launch(binary, Arguments, Port, TlsPort, User);
            failure = server.WaitUntilReady(limit);
            if (failure is null)
            {
                server._ownedFolder = folder;
                return server;
            }
            server.Kill();
            server.Dispose();
            Thread.Sleep(50);
        }
        if (folder is not null && Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        throw new InvalidOperationException($"memcached could not be restarted on port {Port}: {failure}");
    }

    /// <summary>Stops the process with SIGSTOP: it keeps its sockets, the kernel still accepts connections for it, and nothing answers.</summary>
    public void Freeze()
    {
        NativeMethods.SendSignal(Pid, NativeMethods.SigStop);
        _frozen = true;
    }

    /// <summary>Resumes a frozen process with SIGCONT.</summary>
    public void Thaw()
    {
        NativeMethods.SendSignal(Pid, NativeMethods.SigCont);
        _frozen = false;
    }

    /// <summary>Finds the memcached binary or throws an error that says how to install it.</summary>
    public static string FindBinary()
    {
        if (File.Exists(DefaultBinary))
            return DefaultBinary;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "memcached");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException(
            $"memcached is not installed: apt-get install memcached (looked for {DefaultBinary} and 'memcached' on PATH). " +
            "Tests that need a real server fail rather than skip.");
    }

    /// <summary>
    /// Sends a raw text command on a new connection and reads until the reply ends with
    /// <paramref name="terminator"/> (see <see cref="MemcachedText.Send"/>).
    /// </summary>
    public string Send(string command, string terminator = "\r\n", TimeSpan? timeout = null)
        => User is null
            ? MemcachedText.Send(IPEndPoint, command, terminator, timeout)
            : MemcachedText.Send(IPEndPoint, User.AuthenticationCommand + command, terminator, timeout, expectedPrefix: "STORED\r\n");

    /// <summary>One number from <c>stats</c>, e.g. "curr_items" (see <see cref="MemcachedText.Stat(IPEndPoint, string)"/>).</summary>
    public double Stat(string name) => MemcachedText.Stat(Send("stats\r\n", "END\r\n"), IPEndPoint, name);

    /// <summary>Stops memcached gracefully (SIGTERM), falling back to SIGKILL, and waits for it to exit.</summary>
    public void Stop() => End(graceful: true);

    /// <summary>Kills memcached with SIGKILL (a crash, for failure tests) and waits for it to exit.</summary>
    public void Kill() => End(graceful: false);

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"memcached pid {Pid} on {Endpoint}";

    private void End(bool graceful)
    {
        if (_stopped != 0)
            return;
        if (!_process.HasExited)
        {
            // A frozen process acts on SIGTERM only once it runs again (SIGKILL needs no thaw).
            if (graceful && _frozen)
                Thaw();
            if (graceful)
                NativeMethods.SendSignal(Pid, NativeMethods.SigTerm);
            if (!graceful || !_process.WaitForExit(StopTimeout))
                _process.Kill();
            if (!_process.WaitForExit(StopTimeout))
                throw new InvalidOperationException($"memcached pid {Pid} on {Endpoint} did not exit within {StopTimeout.TotalSeconds:0} s of SIGKILL.");
        }
        _stopped = 1;
        ChildProcessRegistry.Remove(_process);
        if (_ownedFolder is not null && Directory.Exists(_ownedFolder))
            Directory.Delete(_ownedFolder, recursive: true);
    }

    private static MemcachedProcess Launch(string binary, string arguments, int port, int? tlsPort, MemcachedUser? user)
    {
        var info = new ProcessStartInfo(binary, arguments)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = false,
        };
        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (output)
            {
                // Bounded: memcached is started without -v, so this only holds startup errors.
                if (output.Length < 64 * 1024)
                    output.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        if (!process.Start())
            throw new InvalidOperationException($"Could not start {binary} {arguments}.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new MemcachedProcess(process, output, port, arguments, tlsPort, user);
    }

    /// <summary>Returns null when memcached answers <c>version</c>, otherwise why it did not.</summary>
    private string? WaitUntilReady(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var lastError = "no connection attempt yet";
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // flushes the redirected output
                return $"memcached ({Arguments}) exited with code {_process.ExitCode} during startup: {Output.Trim()}";
            }
            try
            {
                var reply = Send("version\r\n", "\r\n", TimeSpan.FromSeconds(1));
                if (reply.StartsWith("VERSION ", StringComparison.Ordinal))
                    return null;
                lastError = "unexpected reply " + MemcachedText.Describe(reply);
            }
            catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
            {
                lastError = ex.Message;
            }
            Thread.Sleep(20);
        }
        return $"memcached ({Arguments}) did not answer 'version' on {Endpoint} within {timeout.TotalSeconds:0.#} s (last error: {lastError}); its output: {Output.Trim()}";
    }

    private static int PickFreePort() => LoopbackPorts.Take();
}
