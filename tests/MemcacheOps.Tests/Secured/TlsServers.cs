using MemcacheOps.Testing;

namespace MemcacheOps.Tests.Secured;

/// <summary>
/// Real memcached servers with TLS (memcached -Z), certificates made by the fixture's own CA: one with a
/// valid certificate, one with an expired one, one whose certificate names another host, and one that
/// requires a client certificate (mutual TLS). Each also has a plain listener the test helpers use.
/// </summary>
public sealed class TlsServers : IAsyncLifetime
{
    public TestCertificates Certificates { get; private set; } = null!;

    public MemcachedProcess Valid { get; private set; } = null!;

    public MemcachedProcess Expired { get; private set; } = null!;

    public MemcachedProcess OtherName { get; private set; } = null!;

    public MemcachedProcess Mutual { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Certificates = TestCertificates.Create();
        Valid = MemcachedProcess.StartTls(Certificates.Server);
        Expired = MemcachedProcess.StartTls(Certificates.Expired);
        OtherName = MemcachedProcess.StartTls(Certificates.OtherName);
        Mutual = MemcachedProcess.StartTls(Certificates.Server, $"-o ssl_ca_cert={Certificates.CaFile},ssl_verify_mode=2");
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        foreach (var server in new[] { Valid, Expired, OtherName, Mutual })
            server?.Dispose();
        Certificates?.Dispose();
        return Task.CompletedTask;
    }
}
