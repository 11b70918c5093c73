using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Engine.Connections;

/// <summary>
/// Wraps a connected socket in TLS (1.2 or later) with .NET's <see cref="SslStream"/>: the server's
/// certificate is checked against the system's CAs or <see cref="ConnectionOptions.TlsCaFile"/> and against
/// the server's name (or <see cref="ConnectionOptions.TlsServerName"/>), a client certificate is offered for
/// mutual TLS, and every failure becomes an error that names the certificate problem and what to do.
/// </summary>
internal static class TlsHandshake
{
    private const string CaHint = "-TlsCaFile (--tls-ca-file)";
    private const string NameHint = "-TlsServerName (--tls-server-name)";

    public static async Task<SslStream> AuthenticateAsync(Socket socket, ServerEndpoint endpoint, ConnectionOptions options, CancellationToken cancellationToken)
    {
        var targetHost = options.TlsServerName ?? endpoint.Host;
        var caCertificates = options.TlsCaFile is { } caFile ? LoadCaFile(caFile) : null;
        using var clientCertificate = LoadClientCertificate(options);
        var check = new CertificateCheck(options.SkipCertificateCheck);
        var authentication = new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // Managed services use public roots; revocation lists would need network access the hosts may not have.
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = check.Validate,
        };
        if (caCertificates is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(caCertificates);
            authentication.CertificateChainPolicy = policy;
        }
        if (clientCertificate is not null)
            authentication.ClientCertificates = [clientCertificate];

        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await stream.AuthenticateAsClientAsync(authentication, timeout.Token).ConfigureAwait(false);
            return stream;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new MemcacheException(MemcacheErrorKind.Timeout, "MemcacheTlsHandshakeTimeout",
                $"The TLS handshake with {endpoint} did not finish within {options.ConnectTimeout.TotalSeconds:0.#} s. Check that this port serves TLS (memcached -Z): a plain memcached port never answers a TLS handshake; for a plain server leave out tls:// and -Tls (--tls).",
                endpoint.ToString());
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (check.Problem is { } problem)
                throw new MemcacheException(MemcacheErrorKind.CertificateInvalid, "MemcacheTlsCertificateInvalid",
                    $"The TLS certificate of {endpoint} is not accepted: {problem}", endpoint.ToString(), ex);
            throw new MemcacheException(MemcacheErrorKind.ConnectionFailed, "MemcacheTlsHandshakeFailed",
                $"The TLS handshake with {endpoint} failed: {Innermost(ex)}. Check that this port serves TLS (memcached -Z) with TLS 1.2 or later; for a plain memcached port leave out tls:// and -Tls (--tls).",
                endpoint.ToString(), ex);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string Innermost(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message))
                messages.Add(e.Message.TrimEnd('.'));
        }
        return string.Join(": ", messages);
    }

    /// <summary>The CA certificates of a PEM bundle; a missing, unreadable or empty file is a clear error.</summary>
    internal static X509Certificate2Collection LoadCaFile(string path)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "TlsCaFileInvalid",
                $"The CA file '{path}' (-TlsCaFile, --tls-ca-file) cannot be read: {ex.Message} Give a PEM file of CA certificates ('-----BEGIN CERTIFICATE-----' blocks).",
                path, ex);
        }
        if (collection.Count == 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "TlsCaFileInvalid",
                $"The CA file '{path}' (-TlsCaFile, --tls-ca-file) holds no certificate. Give a PEM file of CA certificates ('-----BEGIN CERTIFICATE-----' blocks).",
                path);
        return collection;
    }

    /// <summary>The client certificate with its private key, from PFX/PKCS#12 or PEM; null when none was given.</summary>
    internal static X509Certificate2? LoadClientCertificate(ConnectionOptions options)
    {
        var certificateFile = options.TlsClientCertificateFile;
        if (certificateFile is null)
        {
            if (options.TlsClientKeyFile is { } keyOnly)
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "TlsClientCertificateMissing",
                    $"A client key file ('{keyOnly}') was given without its certificate: give -TlsClientCertificateFile (--tls-client-certificate-file) too.", keyOnly);
            return null;
        }
        try
        {
            if (IsPkcs12(certificateFile))
            {
                if (options.TlsClientKeyFile is not null)
                    throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "TlsClientKeyUnexpected",
                        $"'{certificateFile}' is a PFX/PKCS#12 file, which holds its own key: leave out -TlsClientKeyFile (--tls-client-key-file).", certificateFile);
                var pfx = X509CertificateLoader.LoadPkcs12FromFile(certificateFile, password: null);
                if (!pfx.HasPrivateKey)
                {
                    pfx.Dispose();
                    throw new CryptographicException("the file holds no private key");
                }
                return pfx;
            }
            return X509Certificate2.CreateFromPemFile(certificateFile, options.TlsClientKeyFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            var keyFile = options.TlsClientKeyFile is { } key ? $" with key '{key}'" : " (with its key in the same file)";
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "TlsClientCertificateInvalid",
                $"The client certificate '{certificateFile}'{keyFile} cannot be loaded: {ex.Message.TrimEnd('.')}. Give a PEM certificate and its PEM private key (-TlsClientCertificateFile, -TlsClientKeyFile; --tls-client-certificate-file, --tls-client-key-file), or a PFX file without a password.",
                certificateFile, ex);
        }
    }

    private static bool IsPkcs12(string path)
    {
        var extension = Path.GetExtension(path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
            return true;
        // A PEM file starts with text; PKCS#12 is DER: a SEQUENCE tag (0x30).
        using var file = File.OpenRead(path);
        return file.ReadByte() == 0x30;
    }

    /// <summary>Checks the server's certificate and remembers, in words, why it was refused.</summary>
    private sealed class CertificateCheck(bool skip)
    {
        public string? Problem { get; private set; }

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (skip || errors == SslPolicyErrors.None)
                return true;
            var targetHost = (sender as SslStream)?.TargetHostName ?? string.Empty;
            Problem = Describe(certificate, chain, errors, targetHost);
            return false;
        }
    }

    /// <summary>What is wrong with a certificate, and what to do about it, in one sentence or two.</summary>
    internal static string Describe(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string targetHost)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 || certificate is null)
            return "the server sent no certificate. Check that this port serves TLS (memcached -Z with ssl_chain_cert).";
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var problems = new List<string>();
        var hints = new List<string>();
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0 && chain is not null)
        {
            var statuses = chain.ChainStatus.Select(s => s.Status).ToHashSet();
            foreach (var element in chain.ChainElements)
            {
                foreach (var s in element.ChainElementStatus)
                    statuses.Add(s.Status);
            }
            var now = DateTime.Now;
            if (statuses.Contains(X509ChainStatusFlags.NotTimeValid))
            {
                problems.Add(cert.NotAfter < now
                    ? $"it expired on {cert.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC"
                    : cert.NotBefore > now
                        ? $"it is not valid before {cert.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC"
                        : "a certificate of its chain is outside its validity period");
                hints.Add("renew the server's certificate (or check this host's clock)");
            }
            if (statuses.Contains(X509ChainStatusFlags.UntrustedRoot) || statuses.Contains(X509ChainStatusFlags.PartialChain))
            {
                problems.Add($"it was issued by '{cert.Issuer}', which is not a trusted certificate authority here");
                hints.Add($"give that authority's certificate with {CaHint} (PEM)");
            }
            if (statuses.Contains(X509ChainStatusFlags.Revoked))
                problems.Add("it was revoked");
            var known = new[] { X509ChainStatusFlags.NoError, X509ChainStatusFlags.NotTimeValid, X509ChainStatusFlags.UntrustedRoot, X509ChainStatusFlags.PartialChain, X509ChainStatusFlags.Revoked };
            var other = chain.ChainStatus.Where(s => !known.Contains(s.Status)).Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct().ToList();
            if (other.Count > 0)
                problems.Add("its chain is not valid (" + string.Join("; ", other) + ")");
            if (problems.Count == 0)
                problems.Add("its chain could not be verified");
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            problems.Add($"it is not issued for '{targetHost}' (it names {Names(cert)})");
            hints.Add($"connect by a name the certificate lists, or give that name with {NameHint}");
        }
        var text = new StringBuilder();
        text.Append(string.Join("; ", problems)).Append('.');
        text.Append($" Certificate: subject '{cert.Subject}', issuer '{cert.Issuer}', valid {cert.NotBefore.ToUniversalTime():yyyy-MM-dd} to {cert.NotAfter.ToUniversalTime():yyyy-MM-dd}.");
        if (hints.Count > 0)
            text.Append(" To connect, ").Append(string.Join(", or ", hints)).Append('.');
        text.Append(" -SkipCertificateCheck (--skip-certificate-check) connects without checking, for test servers only.");
        return text.ToString();
    }

    private static string Names(X509Certificate2 cert)
    {
        var names = new List<string>();
        foreach (var extension in cert.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
            }
        }
        if (names.Count == 0)
            names.Add(cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        return string.Join(", ", names.Distinct().Select(n => $"'{n}'"));
    }
}
