using System.Globalization;
using System.Threading.Channels;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// The connections a comparison keeps to one server: each runs a <see cref="MetaPipeline{TBatch}"/>
/// over one shared queue of <see cref="ServerRequest"/>s, so enumeration fetches and lookups spread
/// over every connection. A failed pipeline fails the whole comparison through <see cref="CompareRun"/>.
/// </summary>
internal sealed class ServerConnections : IAsyncDisposable
{
    // Unbounded on purpose: requests come from a fixed pool of batches, which bounds the queue.
    private readonly Channel<ServerRequest> _input = Channel.CreateUnbounded<ServerRequest>(new UnboundedChannelOptions { SingleReader = false });
    private readonly List<MemcachedConnection> _connections = [];
    private readonly List<Task> _pipelines = [];

    private ServerConnections(ServerEndpoint server)
    {
        Server = server;
    }

    public ServerEndpoint Server { get; }

    /// <summary>Items the server held when the comparison started (<c>curr_items</c>), for progress.</summary>
    public long CurrentItems { get; private set; }

    /// <summary>Connects (proving the server is memcached with meta commands) and starts the pipelines.</summary>
    public static async Task<ServerConnections> OpenAsync(ServerEndpoint server, ComparisonOptions options, IThrottle throttle, CompareRun run, CancellationToken cancellationToken)
    {
        var result = new ServerConnections(server);
        try
        {
            for (var i = 0; i < options.Connections; i++)
            {
                var (connection, info) = await ServerProbe.ConnectAsync(server, options.Connection, cancellationToken).ConfigureAwait(false);
                result._connections.Add(connection);
                if (i > 0)
                    continue;
                if (!info.SupportsMetaCommands)
                    throw new MemcacheException(MemcacheErrorKind.Unsupported, "MemcacheMetaUnsupported",
                        $"Server {server} runs memcached {info.VersionText}, which has no meta commands (1.6 or later is needed) to compare items.", server.ToString());
                var stats = await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false);
                var items = stats.FirstOrDefault(p => p.Key == "curr_items").Value;
                result.CurrentItems = long.TryParse(items, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
            }
            foreach (var connection in result._connections)
            {
                var pipeline = new MetaPipeline<ServerRequest>(connection, CompareGetHandler.Instance, options.Window, throttle);
                // A broken connection fails the whole comparison at once: every stage waits on the run's token.
                result._pipelines.Add(pipeline.RunAsync(result._input.Reader, run.Token, run.Fail));
            }
            return result;
        }
        catch
        {
            await result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Submit(ServerRequest request) => _input.Writer.TryWrite(request);

    /// <summary>Lets the pipelines finish what was submitted, then closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        _input.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_pipelines).ConfigureAwait(false);
        }
        catch
        {
            // A pipeline failure was already recorded by the run; closing must not mask it.
        }
        foreach (var connection in _connections)
            connection.Dispose();
        _connections.Clear();
    }
}
