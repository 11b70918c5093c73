using MemcacheOps.Cli.Output;

namespace MemcacheOps.Tests.Cli;

/// <summary>
/// The CLI tells an operator what to type at a shell: the engine's cmdlet parameter names in its messages are
/// shown as the CLI's options, and nothing else is touched.
/// </summary>
public sealed class CliWordingTests
{
    [Theory]
    [InlineData("Run the same export again with -Resume to finish it.", "Run the same export again with --resume to finish it.")]
    [InlineData("Finish it (export with -Resume) or load what it has with -AllowIncomplete.", "Finish it (export with --resume) or load what it has with --allow-incomplete.")]
    [InlineData("-S3Prefix, -RemoveLocal need -S3Bucket", "--s3-prefix, --remove-local need --s3-bucket")]
    [InlineData("Raise -MaxBytesPerSecond or -Timeout.", "Raise --max-bytes-per-second or --timeout.")]
    public void Cmdlet_parameters_become_cli_options(string message, string expected)
        => Assert.Equal(expected, CliWording.ForCli(message));

    [Theory]
    [InlineData("If the server expects TLS, connect with tls://host:port or -Tls (--tls).", "If the server expects TLS, connect with tls://host:port or --tls.")]
    [InlineData("give -TlsClientCertificateFile and -TlsClientKeyFile (--tls-client-certificate-file, --tls-client-key-file).", "give --tls-client-certificate-file and --tls-client-key-file.")]
    [InlineData("Give the keys (-KeyFile, --key-file) instead.", "Give the keys (--key-file) instead.")]
    public void A_cli_spelling_given_beside_is_not_repeated(string message, string expected)
        => Assert.Equal(expected, CliWording.ForCli(message));

    [Theory]
    [InlineData("it was started with -X, which disables metadump")]
    [InlineData("Start memcached with -I 64k or more.")]
    [InlineData("Server requires authentication (memcached -Y): give -Credential (CLI: --username with --password-file, or the password in MEMCACHEOPS_PASSWORD).")]
    [InlineData("key 'a-Resume' and memcacheops-Resume stay, as does 10 -5")]
    public void Other_text_stays_as_written(string message)
        => Assert.Equal(message, CliWording.ForCli(message));
}
