using System.Diagnostics;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Faults;

/// <summary>The faults of the matrix: what happens to one server while an operation talks to it.</summary>
public enum Fault
{
    /// <summary>SIGSTOP on the memcached process (a hung host, a black hole that keeps TCP open), SIGCONT to heal.</summary>
    Frozen,

    /// <summary>SIGKILL; healed by starting an empty memcached on the same port (its items are gone).</summary>
    Killed,

    /// <summary>SIGKILL and at once a new, empty memcached on the same port.</summary>
    RestartedEmpty,

    /// <summary>Through a proxy that forwards the server's replies one byte every 20 ms.</summary>
    Trickle,

    /// <summary>Through a proxy that resets every connection halfway through the next reply it carries.</summary>
    ResetMidReply,
}

/// <summary>
/// One faulty server for a cell of the fault matrix: a real memcached (behind a <see cref="FaultProxy"/> for the
/// faults a real server cannot produce), the fault itself, its healing, and the clock every cell is judged by:
/// the operation must give up within <see cref="Bound"/> of the fault with an error that names the server.
/// </summary>
internal sealed class FaultRig : IAsyncDisposable
{
    /// <summary>The -Timeout of the operation under test.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>What the issue allows: the operation returns within -Timeout plus 5 s of the fault.</summary>
    public static readonly TimeSpan Bound = Timeout + TimeSpan.FromSeconds(5);

    /// <summary>Bounds every wait of a cell, so a hang fails the test instead of blocking the run.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly List<MemcachedProcess> _retired = [];
    private Stopwatch? _sinceFault;

    private FaultRig(Fault fault, MemcachedProcess server, FaultProxy? proxy)
    {
        Kind = fault;
        Server = server;
        Proxy = proxy;
    }

    public Fault Kind { get; }

    /// <summary>The memcached behind the fault (a new process after a restart).</summary>
    public MemcachedProcess Server { get; private set; }

    public FaultProxy? Proxy { get; }

    /// <summary>Where the operation under test connects: the proxy for proxy faults, else the server.</summary>
    public ServerEndpoint Endpoint => Proxy is null ? Server.ServerEndpoint : ServerEndpoint.Parse(Proxy.Endpoint);

    public string Name => Endpoint.ToString();

    /// <summary>Connection options of the operation under test: a short timeout, and connecting may take a while on a loaded machine.</summary>
    public static ConnectionOptions Connection => ConnectionOptions.Default with { ReadTimeout = Timeout, ConnectTimeout = TimeSpan.FromSeconds(3) };

    /// <summary>Time since <see cref="Inject"/>.</summary>
    public TimeSpan SinceFault => _sinceFault?.Elapsed ?? TimeSpan.Zero;

    public static FaultRig Start(Fault fault, string extraArgs = "", int memoryMb = 64)
    {
        var server = MemcachedProcess.Start(extraArgs, memoryMb);
        var proxy = fault is Fault.Trickle or Fault.ResetMidReply ? new FaultProxy(server.IPEndPoint) : null;
        return new FaultRig(fault, server, proxy);
    }

    /// <summary>Loads items [0, count) of the reference data set into the server.</summary>
    public async Task LoadAsync(int count)
    {
        var loaded = await DataSetLoader.LoadAsync(Server, 0, count, timeout: Patience);
        Assert.Equal(count, loaded.Items);
    }

    /// <summary>Injects the fault and starts the clock.</summary>
    public void Inject()
    {
        _sinceFault = Stopwatch.StartNew();
        switch (Kind)
        {
            case Fault.Frozen:
                Server.Freeze();
                break;
            case Fault.Killed:
                Server.Kill();
                break;
            case Fault.RestartedEmpty:
                Retire(Server.RestartEmpty());
                break;
            case Fault.Trickle:
                Proxy!.Trickle();
                break;
            case Fault.ResetMidReply:
                Proxy!.Reset();
                break;
        }
    }

    /// <summary>Ends the fault: the server runs again (empty after a kill) and the proxy forwards as it should.</summary>
    public void Heal()
    {
        switch (Kind)
        {
            case Fault.Frozen:
                Server.Thaw();
                break;
            case Fault.Killed:
                Retire(Server.RestartEmpty());
                break;
            case Fault.Trickle:
            case Fault.ResetMidReply:
                Proxy!.Heal();
                break;
        }
    }

    /// <summary>True for the faults after which the server no longer holds what it held.</summary>
    public bool LosesData => Kind is Fault.Killed or Fault.RestartedEmpty;

    /// <summary>Waits until <paramref name="condition"/> holds (the operation got far enough to be hit in its middle).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, Task operation, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (operation.IsCompleted)
            {
                await operation; // surfaces its failure
                Assert.Fail($"The operation finished before {what}; the fault would not land in its middle.");
            }
            if (clock.Elapsed > Patience)
                Assert.Fail($"Waited {Patience.TotalSeconds:0} s for {what}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Awaits the operation under test, which must end within <see cref="Bound"/> of the fault; returns its failure, if any.</summary>
    public async Task<Exception?> EndsInTimeAsync(Task operation)
    {
        var left = Bound - SinceFault;
        var finished = await Task.WhenAny(operation, Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero));
        if (finished != operation)
        {
            // Let the test end either way: heal, so a hung operation may still finish, then fail.
            Heal();
            Assert.Fail($"{Kind}: the operation did not return within {Bound.TotalSeconds:0.#} s of the fault (-Timeout {Timeout.TotalSeconds:0.#} s plus 5 s).");
        }
        try
        {
            await operation;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    /// <summary>The error must name the faulty server (in its target and its message) and say what to do.</summary>
    public void AssertNamesServer(MemcacheException error)
    {
        Assert.Equal(Name, error.Target);
        Assert.Contains(Name, error.Message, StringComparison.Ordinal);
        Assert.True(error.Kind is MemcacheErrorKind.Timeout or MemcacheErrorKind.ConnectionFailed or MemcacheErrorKind.NotMemcached or MemcacheErrorKind.WriteFailed,
            $"{Kind}: unexpected kind {error.Kind} ({error.ErrorId}): {error.Message}");
        Assert.Matches("(Check|check|run the|Run the|again)", error.Message);
    }

    private void Retire(MemcachedProcess replacement)
    {
        _retired.Add(Server);
        Server = replacement;
    }

    public async ValueTask DisposeAsync()
    {
        if (Proxy is not null)
            await Proxy.DisposeAsync();
        Server.Dispose();
        foreach (var old in _retired)
            old.Dispose();
    }
}
