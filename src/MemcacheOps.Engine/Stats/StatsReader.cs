using MemcacheOps.Engine.Connections;

namespace MemcacheOps.Engine.Stats;

/// <summary>Sends a <c>stats</c> command and reads its <c>STAT name value</c> lines up to <c>END</c>.</summary>
public static class StatsReader
{
    public static string CommandFor(StatsGroup group) => group switch
    {
        StatsGroup.General => "stats\r\n",
        StatsGroup.Slabs => "stats slabs\r\n",
        StatsGroup.Items => "stats items\r\n",
        StatsGroup.Settings => "stats settings\r\n",
        StatsGroup.Conns => "stats conns\r\n",
        _ => throw new ArgumentOutOfRangeException(nameof(group)),
    };

    /// <summary>Reads one stats group as ordered name/value pairs.</summary>
    public static async Task<List<KeyValuePair<string, string>>> ReadAsync(MemcachedConnection connection, StatsGroup group, CancellationToken cancellationToken)
        => (await ReadCoreAsync(connection, group, allowRefusal: false, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// Reads one stats group, or returns null when the server refuses it with an error line (managed
    /// services refuse some groups: ElastiCache Serverless answers only <c>stats</c>). The connection stays usable.
    /// </summary>
    public static Task<List<KeyValuePair<string, string>>?> TryReadAsync(MemcachedConnection connection, StatsGroup group, CancellationToken cancellationToken)
        => ReadCoreAsync(connection, group, allowRefusal: true, cancellationToken);

    private static async Task<List<KeyValuePair<string, string>>?> ReadCoreAsync(MemcachedConnection connection, StatsGroup group, bool allowRefusal, CancellationToken cancellationToken)
    {
        await connection.SendAsciiAsync(CommandFor(group), cancellationToken).ConfigureAwait(false);
        var pairs = new List<KeyValuePair<string, string>>(group == StatsGroup.General ? 100 : 64);
        // The whole reply must arrive within the timeout, however it is cut into reads (see BeginReply).
        connection.BeginReply();
        try
        {
            while (true)
            {
                var line = await connection.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line == "END")
                    return pairs;
                if (line.StartsWith("STAT ", StringComparison.Ordinal))
                {
                    var space = line.IndexOf(' ', 5);
                    pairs.Add(space < 0
                        ? new KeyValuePair<string, string>(line[5..], string.Empty)
                        : new KeyValuePair<string, string>(line[5..space], line[(space + 1)..]));
                    continue;
                }
                // An error line ends the reply: nothing else follows it, so the connection is in step.
                if (allowRefusal && pairs.Count == 0 && IsRefusal(line))
                    return null;
                throw new MemcacheException(MemcacheErrorKind.ServerError, "MemcacheStatsFailed",
                    $"Server {connection.Endpoint} answered '{CommandFor(group).TrimEnd()}' with '{line}'.", connection.Endpoint.ToString());
            }
        }
        finally
        {
            connection.EndReply();
        }
    }

    private static bool IsRefusal(string line)
        => line.StartsWith("ERROR", StringComparison.Ordinal) || line.StartsWith("CLIENT_ERROR", StringComparison.Ordinal)
           || line.StartsWith("SERVER_ERROR", StringComparison.Ordinal);
}
