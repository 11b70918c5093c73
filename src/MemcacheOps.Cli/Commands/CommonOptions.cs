using MemcacheOps.Cli.Arguments;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;

namespace MemcacheOps.Cli.Commands;

/// <summary>Options every verb that talks to servers shares.</summary>
public static class CommonOptions
{
    public static readonly OptionSpec Server = new("server", OptionKind.List, "Server as host, host:port or [v6]:port (default port 11211); repeat or comma-separate for several.") { ValueName = "H:P" };
    public static readonly OptionSpec Json = new("json", OptionKind.Flag, "Print machine-readable JSON (one object per line).");
    public static readonly OptionSpec ConnectTimeout = new("connect-timeout", OptionKind.Value, "Seconds to wait for a TCP connection (default 5).") { ValueName = "SECONDS" };
    public static readonly OptionSpec Timeout = new("timeout", OptionKind.Value, "Seconds a server may stay silent, or take for each 64 KiB of a reply, before it is declared failed (default 10).") { ValueName = "SECONDS" };
    public static readonly OptionSpec Quiet = new("quiet", OptionKind.Flag, "No progress line on stderr.");

    public static readonly IReadOnlyList<OptionSpec> Connection = [Server, Json, ConnectTimeout, Timeout, Quiet];

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
        return options;
    }
}
