using System.Diagnostics;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Testing;
using MemcacheOps.Tests.Support;

namespace MemcacheOps.Tests.Secured;

/// <summary>
/// TLS connections to real memcached: what works, and every way it can go wrong, each a clear error within
/// the connect or read timeout.
/// </summary>
public sealed class TlsConnectionTests(TlsServers servers) : IClassFixture<TlsServers>
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(2);

    /// <summary>Generous: the machine running the suite may be loaded; the point is "bounded", not "fast".</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(8);

    private ConnectionOptions Trusting => ConnectionOptions.Default with
    {
        TlsCaFile = servers.Certificates.CaFile,
        ConnectTimeout = Short,
        ReadTimeout = Short,
    };

    private static async Task<ServerInfo> ProbeAsync(ServerEndpoint server, ConnectionOptions options)
    {
        var (connection, info) = await ServerProbe.ConnectAsync(server, options, CancellationToken.None);
        using (connection)
        {
            Assert.Equal(options.UsesTls(server), connection.IsTls);
            return info;
        }
    }

    private static async Task<MemcacheException> FailsWithinAsync(TimeSpan limit, Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<MemcacheException>(action);
        Assert.True(clock.Elapsed < limit, $"took {clock.Elapsed.TotalSeconds:0.0} s (limit {limit.TotalSeconds:0} s): {error.Message}");
        return error;
    }

    [Fact]
    public async Task A_tls_server_string_connects_with_the_fixture_CA()
    {
        var info = await ProbeAsync(servers.Valid.TlsServerEndpoint, Trusting);
        Assert.Equal("1.6.18", info.VersionText);
    }

    [Fact]
    public async Task The_Tls_option_makes_a_plain_server_string_use_TLS_and_localhost_matches_the_certificate()
    {
        var server = new ServerEndpoint("localhost", servers.Valid.TlsPort!.Value);
        await ProbeAsync(server, Trusting with { Tls = true });
    }

    [Fact]
    public async Task Stats_over_TLS_read_the_server()
    {
        servers.Valid.Send("set tls-stats-key 0 0 2\r\nhi\r\n");
        var (connection, _) = await ServerProbe.ConnectAsync(servers.Valid.TlsServerEndpoint, Trusting, CancellationToken.None);
        using (connection)
        {
            var stats = ServerStats.FromPairs("tls", await StatsReader.ReadAsync(connection, StatsGroup.General, CancellationToken.None), DateTimeOffset.UtcNow);
            Assert.True(stats.CurrentItems >= 1);
        }
    }

    [Fact]
    public async Task An_untrusted_CA_fails_with_an_error_that_names_the_certificate_problem()
    {
        var error = await FailsWithinAsync(Short + Margin, () => ProbeAsync(servers.Valid.TlsServerEndpoint, Trusting with { TlsCaFile = null }));
        Assert.Equal("MemcacheTlsCertificateInvalid", error.ErrorId);
        Assert.Equal(MemcacheErrorKind.CertificateInvalid, error.Kind);
        Assert.Contains("not a trusted certificate authority", error.Message, StringComparison.Ordinal);
        Assert.Contains("CN=MemcacheOps Test CA", error.Message, StringComparison.Ordinal);
        Assert.Contains("-TlsCaFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_certificate_fails_saying_when_it_expired()
    {
        var error = await FailsWithinAsync(Short + Margin, () => ProbeAsync(servers.Expired.TlsServerEndpoint, Trusting));
        Assert.Equal("MemcacheTlsCertificateInvalid", error.ErrorId);
        Assert.Contains("it expired on", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_for_another_name_fails_naming_both_names()
    {
        var error = await FailsWithinAsync(Short + Margin, () => ProbeAsync(servers.OtherName.TlsServerEndpoint, Trusting));
        Assert.Equal("MemcacheTlsCertificateInvalid", error.ErrorId);
        Assert.Contains("not issued for '127.0.0.1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'other.example'", error.Message, StringComparison.Ordinal);
        Assert.Contains("-TlsServerName", error.Message, StringComparison.Ordinal);
        // ... and naming the host the certificate was issued for connects.
        await ProbeAsync(servers.OtherName.TlsServerEndpoint, Trusting with { TlsServerName = "other.example" });
    }

    [Fact]
    public async Task Skipping_the_certificate_check_connects_to_any_of_them()
    {
        var skip = Trusting with { TlsCaFile = null, SkipCertificateCheck = true };
        await ProbeAsync(servers.Valid.TlsServerEndpoint, skip);
        await ProbeAsync(servers.Expired.TlsServerEndpoint, skip);
        await ProbeAsync(servers.OtherName.TlsServerEndpoint, skip);
    }

    [Fact]
    public async Task The_CLI_connects_with_skip_certificate_check_and_warns()
    {
        var server = servers.Expired.TlsServerEndpoint.ToString();
        var refused = await CliRunner.RunAsync("stats", "--server", server, "--tls-ca-file", servers.Certificates.CaFile, "--connect-timeout", "5");
        Assert.Equal(2, refused.Code);
        Assert.Contains("[MemcacheTlsCertificateInvalid]", refused.Errors, StringComparison.Ordinal);

        var (code, output, errors) = await CliRunner.RunAsync("stats", "--server", server, "--skip-certificate-check");
        Assert.True(code == 0, errors);
        Assert.StartsWith(server + "  memcached 1.6.18", output, StringComparison.Ordinal);
        Assert.Contains("warning: --skip-certificate-check", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_client_on_the_TLS_port_fails_within_the_timeout_and_suggests_TLS()
    {
        var plain = new ServerEndpoint("127.0.0.1", servers.Valid.TlsPort!.Value);
        var error = await FailsWithinAsync(Short + Margin, () => ProbeAsync(plain, Trusting));
        Assert.Equal(MemcacheErrorKind.NotMemcached, error.Kind);
        Assert.Contains("tls://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_client_on_a_port_that_never_answers_fails_at_the_read_timeout_and_suggests_TLS()
    {
        // What a TLS port may do to a plain client: read its bytes as a broken handshake and never answer.
        await using var silent = new ScriptedServer(_ => []);
        var error = await FailsWithinAsync(Short + Margin, () => ProbeAsync(ServerEndpoint.Parse(silent.Endpoint), Trusting));
        Assert.Equal("MemcacheNotResponding", error.ErrorId);
        Assert.Contains("tls://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_TLS_client_on_a_plain_port_fails_in_the_handshake()
    {
        var onPlain = new ServerEndpoint("127.0.0.1", servers.Valid.Port, tls: true);
        var error = await FailsWithinAsync(Short + Margin, () => ProbeAsync(onPlain, Trusting));
        Assert.StartsWith("MemcacheTlsHandshake", error.ErrorId, StringComparison.Ordinal);
        Assert.Contains("leave out tls://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_TLS_client_on_a_port_that_never_answers_fails_at_the_connect_timeout()
    {
        await using var silent = new ScriptedServer(_ => []);
        var error = await FailsWithinAsync(Short + Margin, () => ProbeAsync(ServerEndpoint.Parse("tls://" + silent.Endpoint), Trusting));
        Assert.Equal("MemcacheTlsHandshakeTimeout", error.ErrorId);
    }

    [Fact]
    public async Task Mutual_TLS_connects_with_the_client_certificate_and_fails_clearly_without_it()
    {
        var withCertificate = Trusting with
        {
            TlsClientCertificateFile = servers.Certificates.ClientCertificateFile,
            TlsClientKeyFile = servers.Certificates.ClientKeyFile,
        };
        await ProbeAsync(servers.Mutual.TlsServerEndpoint, withCertificate);
        var error = await FailsWithinAsync(Short + Margin, () => ProbeAsync(servers.Mutual.TlsServerEndpoint, Trusting));
        Assert.Contains(servers.Mutual.TlsServerEndpoint.ToString(), error.Message, StringComparison.Ordinal);
        // TLS 1.3 rejects at the first command, TLS 1.2 in the handshake; either way the client certificate is named.
        Assert.True(error.ErrorId is "MemcacheTlsRejected" or "MemcacheTlsHandshakeFailed", error.ErrorId + ": " + error.Message);
        if (error.ErrorId == "MemcacheTlsRejected")
            Assert.Contains("-TlsClientCertificateFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_CA_file_is_named()
    {
        var error = await Assert.ThrowsAsync<MemcacheException>(() => ProbeAsync(servers.Valid.TlsServerEndpoint, Trusting with { TlsCaFile = "/nonexistent/ca.pem" }));
        Assert.Equal("TlsCaFileInvalid", error.ErrorId);
        Assert.Contains("/nonexistent/ca.pem", error.Message, StringComparison.Ordinal);
    }
}
