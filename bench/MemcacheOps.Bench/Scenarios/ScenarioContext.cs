using System.Globalization;
using System.Net;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Testing;

namespace MemcacheOps.Bench.Scenarios;

/// <summary>
/// What a scenario gets: the loaded source server, the data set range, tuning knobs, a scratch directory
/// that is deleted afterwards, and extra memcached servers it may start (stopped when it ends).
/// </summary>
internal sealed class ScenarioContext : IAsyncDisposable
{
    private readonly List<MemcachedProcess> _started = [];

    public required IReadOnlyList<ServerEndpoint> Servers { get; init; }

    /// <summary>The server holding reference items [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>).</summary>
    public ServerEndpoint Source => Servers[0];

    /// <summary><see cref="Source"/> as a socket address (the harness's servers listen on IP literals).</summary>
    public IPEndPoint SourceAddress => new(IPAddress.Parse(Source.Host), Source.Port);

    public long Start { get; init; }

    public required long Count { get; init; }

    public int Seed { get; init; } = ReferenceDataSet.DefaultSeed;

    /// <summary>Connections per server (--connections).</summary>
    public int Connections { get; init; } = 1;

    /// <summary>Batches in flight per connection (--window).</summary>
    public int Window { get; init; } = 4;

    /// <summary>Keys per batch (--batch).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Memory (-m) for servers started with <see cref="StartServer"/>.</summary>
    public int ServerMemoryMb { get; init; } = 4096;

    /// <summary>An empty directory for this scenario's files; deleted after it unless --keep-scratch.</summary>
    public required string ScratchDirectory { get; init; }

    /// <summary>
    /// The source's TLS listener (tls://127.0.0.1:port) when the run has TLS scenarios: the harness then starts
    /// the source with TLS beside its plain listener; null otherwise.
    /// </summary>
    public ServerEndpoint? TlsSource { get; init; }

    /// <summary>The certificates of the TLS listeners (their CA is what clients trust); null without TLS scenarios.</summary>
    public TestCertificates? Certificates { get; init; }

    /// <summary>The source's TLS endpoint, or an error naming the missing setup.</summary>
    public ServerEndpoint RequireTlsSource()
        => TlsSource ?? throw new InvalidOperationException("This scenario needs the source's TLS listener; the harness starts it when a TLS scenario is selected.");

    /// <summary>Scenario-specific settings given as --opt name=value.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Starts an empty memcached on a free loopback port, stopped when the scenario ends.</summary>
    public MemcachedProcess StartServer(string extraArgs = "", int? memoryMb = null)
    {
        var server = MemcachedProcess.Start(extraArgs, memoryMb ?? ServerMemoryMb);
        _started.Add(server);
        return server;
    }

    /// <summary>Starts an empty memcached with TLS (and a plain listener beside it), stopped when the scenario ends.</summary>
    public MemcachedProcess StartTlsServer(int? memoryMb = null)
    {
        var certificates = Certificates ?? throw new InvalidOperationException("No test certificates: the harness makes them when a TLS scenario is selected.");
        var server = MemcachedProcess.StartTls(certificates.Server, memoryMb: memoryMb ?? ServerMemoryMb);
        _started.Add(server);
        return server;
    }

    public string Option(string name, string defaultValue) => Options.TryGetValue(name, out var value) ? value : defaultValue;

    public int Option(string name, int defaultValue)
        => Options.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : defaultValue;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _started)
            await server.DisposeAsync();
        _started.Clear();
    }
}
