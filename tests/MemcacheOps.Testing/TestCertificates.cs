using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MemcacheOps.Testing;

/// <summary>
/// A private certificate authority and the certificates TLS tests need, made in-process with .NET's
/// <see cref="CertificateRequest"/> and written as PEM files to a folder of their own: a server certificate
/// for localhost and 127.0.0.1, an expired one, one for another name, and a client certificate for mutual
/// TLS. memcached drops its privileges (-u nobody) when started as root, so the folder and files are made
/// readable by every user; they are test keys only. The folder is deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly bool _owned;

    private TestCertificates(string folder, bool owned)
    {
        Folder = folder;
        _owned = owned;
    }

    /// <summary>The certificates another process made in <paramref name="folder"/> (the benchmark's children); not deleted on dispose.</summary>
    public static TestCertificates Open(string folder)
    {
        var opened = new TestCertificates(folder, owned: false);
        if (!File.Exists(opened.CaFile) || !File.Exists(opened.Server.CertificateFile))
            throw new InvalidOperationException($"'{folder}' holds no test certificates (made by TestCertificates.Create).");
        return opened;
    }

    public string Folder { get; }

    /// <summary>PEM of the CA certificate: what a client trusts (-TlsCaFile).</summary>
    public string CaFile => Path.Combine(Folder, "ca.pem");

    /// <summary>Server certificate for DNS localhost and IP 127.0.0.1, valid now.</summary>
    public ServerCertificate Server => new(Path.Combine(Folder, "server.pem"), Path.Combine(Folder, "server.key"));

    /// <summary>Server certificate for localhost and 127.0.0.1 that expired yesterday.</summary>
    public ServerCertificate Expired => new(Path.Combine(Folder, "expired.pem"), Path.Combine(Folder, "expired.key"));

    /// <summary>Server certificate for 'other.example' only.</summary>
    public ServerCertificate OtherName => new(Path.Combine(Folder, "other.pem"), Path.Combine(Folder, "other.key"));

    /// <summary>Client certificate (PEM) and key for mutual TLS, issued by the CA.</summary>
    public string ClientCertificateFile => Path.Combine(Folder, "client.pem");

    public string ClientKeyFile => Path.Combine(Folder, "client.key");

    /// <summary>Makes the CA and every certificate (RSA 2048; a few hundred milliseconds).</summary>
    public static TestCertificates Create()
    {
        var folder = Directory.CreateTempSubdirectory("memcacheops-tls-").FullName;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var result = new TestCertificates(folder, owned: true);
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=MemcacheOps Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-30), now.AddDays(60));
        result.Write("ca.pem", ca.ExportCertificatePem());

        result.Issue(ca, "server", "CN=localhost", ["localhost"], [IPAddress.Loopback], now.AddDays(-1), now.AddDays(30), serverAuth: true);
        result.Issue(ca, "expired", "CN=localhost", ["localhost"], [IPAddress.Loopback], now.AddDays(-10), now.AddDays(-1), serverAuth: true);
        result.Issue(ca, "other", "CN=other.example", ["other.example"], [], now.AddDays(-1), now.AddDays(30), serverAuth: true);
        result.Issue(ca, "client", "CN=memcacheops-client", [], [], now.AddDays(-1), now.AddDays(30), serverAuth: false);
        return result;
    }

    private void Issue(X509Certificate2 ca, string name, string subject, string[] dnsNames, IPAddress[] addresses,
        DateTimeOffset notBefore, DateTimeOffset notAfter, bool serverAuth)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (dnsNames.Length + addresses.Length > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var dns in dnsNames)
                names.AddDnsName(dns);
            foreach (var address in addresses)
                names.AddIpAddress(address);
            request.CertificateExtensions.Add(names.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var certificate = request.Create(ca, notBefore, notAfter, serial);
        Write(name + ".pem", certificate.ExportCertificatePem());
        Write(name + ".key", key.ExportPkcs8PrivateKeyPem());
    }

    private void Write(string name, string pem)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, pem);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    public void Dispose()
    {
        if (!_owned)
            return;
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A server certificate and its private key, as PEM files memcached loads (ssl_chain_cert, ssl_key).</summary>
public sealed record ServerCertificate(string CertificateFile, string KeyFile);
