using System.Collections.Concurrent;
using System.Globalization;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Export;

/// <summary>
/// Notices a source that restarted during an export, or between an interrupted export and its resume:
/// every item it held is gone, so keys not yet fetched come back missing. The export goes on (those keys
/// are counted missing, never dumped) and says so once per server, as a warning and a note in the result,
/// naming the server and both runs. The first run seen of each server is the reference: the one the
/// dump's listing recorded in the manifest, else the first one a connection of this export reached.
/// </summary>
internal sealed class RestartWatch(IOperationSink sink)
{
    private readonly ConcurrentDictionary<ServerEndpoint, ServerIdentity> _first = new();
    private readonly ConcurrentDictionary<ServerEndpoint, string> _restarted = new();

    /// <summary>What the export says about restarted servers, for the result's notes.</summary>
    public IReadOnlyCollection<string> Notes => _restarted.Values.ToList();

    /// <summary>Takes the runs recorded by the listing of a dump being resumed as the reference.</summary>
    public void Seed(IEnumerable<Dump.DumpManifestSource> sources)
    {
        foreach (var source in sources)
        {
            if (source.ServerPid != 0 || source.ServerStartedAt != 0)
                _first.TryAdd(ServerEndpoint.Parse(source.Server), new ServerIdentity(source.ServerPid, DateTimeOffset.FromUnixTimeSeconds(source.ServerStartedAt)));
        }
    }

    /// <summary>Reads which run of the server <paramref name="connection"/> reached and compares it with the reference.</summary>
    public async Task CheckAsync(ServerEndpoint server, MemcachedConnection connection, CancellationToken cancellationToken)
        => Observe(server, await ServerIdentity.ReadAsync(connection, cancellationToken).ConfigureAwait(false));

    public void Observe(ServerEndpoint server, ServerIdentity now)
    {
        var first = _first.GetOrAdd(server, now);
        if (!now.IsRestartOf(first))
            return;
        var note = string.Create(CultureInfo.InvariantCulture,
            $"Server {server} restarted since the dump's listing (it ran since {first.StartedAt:yyyy-MM-dd HH:mm:ss}Z as pid {first.Pid}, it now runs since {now.StartedAt:yyyy-MM-dd HH:mm:ss}Z as pid {now.Pid}): the items it held are gone. Keys not fetched before the restart are counted missing, not dumped; the dump holds what was fetched before it.");
        if (_restarted.TryAdd(server, note))
            sink.Warning(note);
    }
}
