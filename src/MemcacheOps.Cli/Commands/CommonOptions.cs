using MemcacheOps.Cli.Arguments;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Cli.Commands;

/// <summary>Options every verb that talks to servers shares.</summary>
public static class CommonOptions
{
    /// <summary>The environment variable a password is read from when no --password-file is given.</summary>
    public const string PasswordVariable = "MEMCACHEOPS_PASSWORD";

    public static readonly OptionSpec Server = new("server", OptionKind.List, "Server as host, host:port or [v6]:port (default port 11211), tls://host:port for TLS; repeat or comma-separate for several.") { ValueName = "H:P" };
    public static readonly OptionSpec Json = new("json", OptionKind.Flag, "Print machine-readable JSON (one object per line).");
    public static readonly OptionSpec ConnectTimeout = new("connect-timeout", OptionKind.Value, "Seconds to wait for a connection, TLS handshake included (default 5).") { ValueName = "SECONDS" };
    public static readonly OptionSpec Timeout = new("timeout", OptionKind.Value, "Seconds a server may stay silent, or take for each 64 KiB of a reply, before it is declared failed (default 10).") { ValueName = "SECONDS" };
    public static readonly OptionSpec Quiet = new("quiet", OptionKind.Flag, "No progress line on stderr.");

    /// <summary>TLS and authentication: how every connection of a verb is made (see <see cref="ConnectionOptions"/>).</summary>
    public static readonly IReadOnlyList<OptionSpec> Security =
    [
        new("tls", OptionKind.Flag, "Use TLS (1.2+) for every server; a server written tls://host:port uses TLS without it."),
        new("tls-server-name", OptionKind.Value, "Name to check the servers' certificates against and send as SNI (default: each server's host).") { ValueName = "NAME" },
        new("tls-ca-file", OptionKind.Value, "PEM file of CA certificates to trust instead of the system store.") { ValueName = "FILE" },
        new("tls-client-certificate-file", OptionKind.Value, "Client certificate for mutual TLS: PEM (key in --tls-client-key-file or the same file) or PFX without a password.") { ValueName = "FILE" },
        new("tls-client-key-file", OptionKind.Value, "PEM private key of --tls-client-certificate-file.") { ValueName = "FILE" },
        new("skip-certificate-check", OptionKind.Flag, "Accept any server certificate (test servers only; a warning says so)."),
        new("username", OptionKind.Value, $"User for memcached -Y authentication; the password comes from --password-file or {PasswordVariable}, never the command line.") { ValueName = "USER" },
        new("password-file", OptionKind.Value, "File whose first line is the password of --username (keep it readable by you only).") { ValueName = "FILE" },
    ];

    public static readonly IReadOnlyList<OptionSpec> Connection = [Server, Json, ConnectTimeout, Timeout, Quiet, .. Security];

    // Options several verbs take with the same meaning, declared once so their help and completion are the same everywhere.

    public static readonly OptionSpec Window = new("window", OptionKind.Value, "Batches in flight per connection. Default 4.") { ValueName = "N" };
    public static readonly OptionSpec PointsPerServer = new("points-per-server", OptionKind.Value, "Ketama points per server (cachemover: ketama_bucket_size). Default 160.", "ketama-bucket-size") { ValueName = "N" };
    public static readonly OptionSpec Exclude = new("exclude", OptionKind.Value, "Leave out keys matching this pattern.") { ValueName = "PATTERN" };
    public static readonly OptionSpec ListingMethod = new("method", OptionKind.Value, "Listing method: auto (default), metadump-hash, metadump-all, cache-dump.") { ValueName = "METHOD" };

    public static IReadOnlyList<ServerEndpoint> Servers(ParsedArguments args, string option = "server")
    {
        var texts = args.List(option);
        if (texts.Count == 0)
            throw new UsageException($"--{option} is required (e.g. --{option} 127.0.0.1:11211).");
        return ServerEndpoint.ParseList(texts);
    }

    public static ConnectionOptions ConnectionOptions(ParsedArguments args)
    {
        var options = Engine.Connections.ConnectionOptions.Default;
        if (args.Seconds("connect-timeout") is { } connect)
            options = options with { ConnectTimeout = connect };
        if (args.Seconds("timeout") is { } read)
            options = options with { ReadTimeout = read };
        return options with
        {
            Tls = args.Flag("tls"),
            TlsServerName = args.Value("tls-server-name"),
            TlsCaFile = FullPath(args.Value("tls-ca-file")),
            TlsClientCertificateFile = FullPath(args.Value("tls-client-certificate-file")),
            TlsClientKeyFile = FullPath(args.Value("tls-client-key-file")),
            SkipCertificateCheck = args.Flag("skip-certificate-check"),
            Credential = Credential(args),
        };
    }

    /// <summary>The warning --skip-certificate-check prints on stderr.</summary>
    public const string SkipCertificateCheckWarning =
        "warning: --skip-certificate-check: the servers' TLS certificates are not checked. The connections are encrypted, but anyone between here and the servers can pose as them; use it with test servers only, and --tls-ca-file to trust a private CA instead.";

    private static string? FullPath(string? path) => path is null ? null : Path.GetFullPath(path);

    /// <summary>--username with the password from --password-file or MEMCACHEOPS_PASSWORD; never from the command line.</summary>
    private static MemcacheCredential? Credential(ParsedArguments args)
    {
        var user = args.Value("username");
        var file = args.Value("password-file");
        if (user is null)
        {
            if (file is not null)
                throw new UsageException("--password-file needs --username.");
            return null;
        }
        string password;
        if (file is not null)
        {
            try
            {
                using var reader = new StreamReader(file);
                password = reader.ReadLine() ?? string.Empty;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--password-file '{file}' cannot be read: {ex.Message}");
            }
            if (password.Length == 0)
                throw new UsageException($"--password-file '{file}' is empty: its first line must be the password of user '{user}'.");
        }
        else
        {
            password = Environment.GetEnvironmentVariable(PasswordVariable) ?? string.Empty;
            if (password.Length == 0)
                throw new UsageException($"--username '{user}' needs a password: give --password-file FILE, or set {PasswordVariable}. A password is never taken from the command line, where other users can see it.");
        }
        return new MemcacheCredential(user, password);
    }
}
