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
                throw new MemcacheException(MemcacheErrorKind.ServerError, "MemcacheStatsFailed",
                    $"Server {connection.Endpoint} answered '{CommandFor(group).TrimEnd()}' with '{line}'.", connection.Endpoint.ToString());
            }
        }
        finally
        {
            connection.EndReply();
        }
    }
}
