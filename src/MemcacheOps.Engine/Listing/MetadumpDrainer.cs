using System.Text;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Stats;

namespace MemcacheOps.Engine.Listing;

/// <summary>
/// Runs one listing of a server on a dedicated connection and drains it continuously into an
/// <see cref="IListingChunkSink"/>. Chooses metadump hash, falling back to metadump all and then
/// stats cachedump with a warning about what may be lost; retries BUSY with jittered back-off; never
/// sends metadump hash while the server's hash table grows or is due to (<see cref="HashTableGrowth"/>).
/// </summary>
public static class MetadumpDrainer
{
    private static readonly byte[] EndLine = "END\r\n"u8.ToArray();

    private const string XRefusal = "it was started with -X, which disables metadump";

    public static async Task<ListingSummary> RunAsync(ServerEndpoint server, ListingOptions options, IListingChunkSink sink, IOperationSink diagnostics, CancellationToken cancellationToken)
    {
        try
        {
            var summary = await RunCoreAsync(server, options, sink, diagnostics, cancellationToken).ConfigureAwait(false);
            sink.Complete(null);
            return summary;
        }
        catch (Exception ex)
        {
            sink.Complete(ex);
            throw;
        }
    }

    private static async Task<ListingSummary> RunCoreAsync(ServerEndpoint server, ListingOptions options, IListingChunkSink sink, IOperationSink diagnostics, CancellationToken cancellationToken)
    {
        var (connection, info) = await ServerProbe.ConnectAsync(server, options.Connection, cancellationToken).ConfigureAwait(false);
        using (connection)
        {
            var generalStats = ServerStats.FromPairs(server.ToString(),
                await StatsReader.ReadAsync(connection, StatsGroup.General, cancellationToken).ConfigureAwait(false), DateTimeOffset.UtcNow);
            // A server without a clock statistic (not memcached's own build) is taken to share this host's.
            var serverTime = generalStats.Raw.ContainsKey("time") ? generalStats.ServerTime : DateTimeOffset.UtcNow;
            var identity = ServerIdentity.Of(generalStats);
            var method = options.Method;
            if (method == ListingMethod.Auto)
            {
                method = info.SupportsMetadumpHash ? ListingMethod.MetadumpHash
                    : info.SupportsMetadump ? ListingMethod.MetadumpAll
                    : ListingMethod.CacheDump;
                if (method == ListingMethod.MetadumpAll)
                    diagnostics.Warning(AllWarning(server, $"memcached {info.VersionText} has no 'metadump hash' (1.6.9+)"));
                else if (method == ListingMethod.CacheDump)
                    diagnostics.Warning(CacheDumpWarning(server, $"memcached {info.VersionText} has no lru_crawler metadump (1.4.31+)"));
            }
            else if (method == ListingMethod.MetadumpAll)
                diagnostics.Warning(AllWarning(server, "it was asked for (-Method MetadumpAll)"));
            else if (method == ListingMethod.CacheDump)
                diagnostics.Warning(CacheDumpWarning(server, "it was asked for (-Method CacheDump)"));
            diagnostics.Verbose($"{server}: memcached {info.VersionText}, listing keys with {Describe(method)}.");
            var retries = 0;
            var deadline = DateTime.UtcNow + options.BusyTimeout;
            var delay = options.BusyInitialDelay;
            var refusals = new List<string>();
            while (true)
            {
                if (method == ListingMethod.CacheDump)
                {
                    var why = refusals.Count > 0 ? string.Join("; ", refusals) : null;
                    var (lines, bytes) = await CacheDumpAsync(connection, sink,
                        () => { if (why is not null) diagnostics.Warning(CacheDumpWarning(server, why)); }, refusals, cancellationToken).ConfigureAwait(false);
                    return new ListingSummary(method, lines, bytes, retries, info.VersionText, serverTime, identity);
                }
                if (method == ListingMethod.MetadumpHash)
                {
                    // The stats read above are fresh for the first attempt; a retry after BUSY reads them again.
                    await HashTableGrowth.WaitUntilSettledAsync(connection, retries == 0 ? generalStats : null, options, diagnostics, cancellationToken).ConfigureAwait(false);
                }
                var command = method == ListingMethod.MetadumpHash ? "lru_crawler metadump hash\r\n" : "lru_crawler metadump all\r\n";
                await connection.SendAsciiAsync(command, cancellationToken).ConfigureAwait(false);
                // The listing streams for as long as the server has keys; each 64 KiB of it must arrive within
                // the timeout, so a server that trickles it fails instead of holding the operation (see BeginReply).
                connection.BeginReply();
                // The reply's grammar: [OK] key-line* END, or one refusal line. memcached 1.6.43 and later
                // send the OK first; earlier versions start with a key line or END.
                var first = await PeekFirstLineAsync(connection, cancellationToken).ConfigureAwait(false);
                if (first == "OK")
                {
                    connection.Consume(connection.Buffered.IndexOf((byte)'\n') + 1);
                    var (lines, bytes) = await DrainAsync(connection, sink, cancellationToken).ConfigureAwait(false);
                    connection.EndReply();
                    return new ListingSummary(method, lines, bytes, retries, info.VersionText, serverTime, identity);
                }
                if (first.StartsWith("key=", StringComparison.Ordinal) || first == "END")
                {
                    var (lines, bytes) = await DrainAsync(connection, sink, cancellationToken).ConfigureAwait(false);
                    connection.EndReply();
                    return new ListingSummary(method, lines, bytes, retries, info.VersionText, serverTime, identity);
                }
                connection.Consume(connection.Buffered.IndexOf((byte)'\n') + 1);
                connection.EndReply();
                if (first.StartsWith("BUSY", StringComparison.Ordinal))
                {
                    if (DateTime.UtcNow + delay > deadline)
                        throw new MemcacheException(MemcacheErrorKind.Busy, "MemcacheListingBusy",
                            $"Server {server} kept answering BUSY for {options.BusyTimeout.TotalSeconds:0} s: another listing or crawl is running. Wait for it to finish (only one listing per server runs at a time) and retry.",
                            server.ToString());
                    retries++;
                    diagnostics.Verbose($"{server}: crawler busy, retry {retries} in {delay.TotalMilliseconds:0} ms");
                    await Task.Delay(Jitter(delay), cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.BusyMaxDelay.Ticks));
                    continue;
                }
                if (first.StartsWith("BADCLASS", StringComparison.Ordinal) && method == ListingMethod.MetadumpHash && options.Method == ListingMethod.Auto)
                {
                    diagnostics.Warning(AllWarning(server, "the server rejected 'metadump hash'"));
                    method = ListingMethod.MetadumpAll;
                    continue;
                }
                var refusal = first.StartsWith("ERROR metadump not allowed", StringComparison.Ordinal)
                    ? XRefusal
                    : first.StartsWith("CLIENT_ERROR lru crawler disabled", StringComparison.Ordinal)
                        ? "its LRU crawler is disabled ('lru_crawler enable' turns it on)"
                        : first.StartsWith("ERROR", StringComparison.Ordinal) || first.StartsWith("CLIENT_ERROR", StringComparison.Ordinal)
                            ? $"it refused '{command.TrimEnd()}' ('{first}'): it has no LRU crawler (managed services such as ElastiCache 1.6.17+ remove it)"
                            : null;
                if (refusal is null)
                    throw new MemcacheException(MemcacheErrorKind.ServerError, "MemcacheListingFailed",
                        $"Server {server} refused '{command.TrimEnd()}': {first}.", server.ToString());
                if (options.Method != ListingMethod.Auto)
                    throw KeysNeeded(server, refusal + $" (listing method {options.Method} was asked for; -Method Auto would try 'stats cachedump')");
                refusals.Add(refusal);
                method = ListingMethod.CacheDump;
            }
        }
    }

    /// <summary>
    /// The error for a server that lists no keys at all, saying how to give them instead. Export, compare
    /// and move take keys from a key file or the pipeline (see <see cref="KeySources.KeySource"/>).
    /// </summary>
    public static MemcacheException KeysNeeded(ServerEndpoint server, string why)
        => new(MemcacheErrorKind.Unsupported, "MemcacheListingDisabled",
            $"Server {server} does not list its keys: {why}. To export, compare or move its items, give their keys instead: -KeyFile (--key-file) with one key per line ('b64:' and base64 for binary keys), or pipe them in, as in: Get-Content keys.txt | Export-MemcacheData -Server {server} -Path <folder>.",
            server.ToString());

    private static string Describe(ListingMethod method) => method switch
    {
        ListingMethod.MetadumpHash => "'lru_crawler metadump hash'",
        ListingMethod.MetadumpAll => "'lru_crawler metadump all'",
        _ => "'stats cachedump'",
    };

    private static string AllWarning(ServerEndpoint server, string why)
        => $"{server}: listing with 'lru_crawler metadump all' because {why}. On a server taking traffic this can miss or repeat keys; the result may be incomplete.";

    private static string CacheDumpWarning(ServerEndpoint server, string why)
        => $"{server}: listing with 'stats cachedump' because {why}. It sees only the COLD LRU and at most 2 MB of keys per slab class: recently used keys and binary keys are MISSING from this listing.";

    private static TimeSpan Jitter(TimeSpan delay)
        => TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + Random.Shared.NextDouble())));

    /// <summary>Waits for the first line of the reply without consuming it.</summary>
    private static async Task<string> PeekFirstLineAsync(MemcachedConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffered = connection.Buffered;
            var newline = buffered.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = buffered[..newline];
                if (line.Length > 0 && line[^1] == (byte)'\r')
                    line = line[..^1];
                return Encoding.ASCII.GetString(line[..Math.Min(line.Length, 200)]);
            }
            if (buffered.Length > 8192)
                MetaReplyParser.ThrowProtocol("a listing line longer than 8 KiB", buffered);
            await connection.FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Moves whole lines from the socket to the sink as fast as they arrive, until END.</summary>
    private static async Task<(long Lines, long Bytes)> DrainAsync(MemcachedConnection connection, IListingChunkSink sink, CancellationToken cancellationToken)
    {
        long lines = 0;
        long bytes = 0;
        while (true)
        {
            var buffered = connection.Buffered;
            var last = buffered.LastIndexOf((byte)'\n');
            if (last >= 0)
            {
                var region = buffered[..(last + 1)];
                var ended = region.EndsWith(EndLine) && (region.Length == EndLine.Length || region[^(EndLine.Length + 1)] == (byte)'\n');
                var payload = ended ? region[..^EndLine.Length] : region;
                if (!payload.IsEmpty)
                {
                    var count = payload.Count((byte)'\n');
                    sink.Write(payload, count);
                    lines += count;
                    bytes += payload.Length;
                }
                connection.Consume(region.Length);
                if (ended)
                {
                    if (connection.BufferedCount > 0)
                        MetaReplyParser.ThrowProtocol("bytes after the listing's END", connection.Buffered);
                    return (lines, bytes);
                }
            }
            else if (buffered.Length > 64 * 1024)
            {
                MetaReplyParser.ThrowProtocol("a listing line longer than 64 KiB", buffered);
            }
            await connection.FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The last-resort listing: <c>stats cachedump</c> per class, turned into metadump-shaped lines so
    /// everything downstream has one format. Sizes are value bytes here, not item sizes.
    /// <paramref name="warn"/> runs once the server has shown it answers cachedump, so a server that refuses
    /// it too gets one clear error (<see cref="KeysNeeded"/>) rather than a warning followed by it.
    /// </summary>
    private static async Task<(long Lines, long Bytes)> CacheDumpAsync(MemcachedConnection connection, IListingChunkSink sink, Action warn,
        List<string> refusals, CancellationToken cancellationToken)
    {
        var server = connection.Endpoint;
        string Why(string refused) => string.Join("; ", [.. refusals, refused]);
        var items = await StatsReader.TryReadAsync(connection, StatsGroup.Items, cancellationToken).ConfigureAwait(false)
            ?? throw KeysNeeded(server, Why("it refused 'stats items', which 'stats cachedump' needs (ElastiCache Serverless refuses both)"));
        var classes = items.Select(p => p.Key).Where(k => k.StartsWith("items:", StringComparison.Ordinal))
            .Select(k => k.Split(':')[1]).Distinct().ToList();
        // An empty server is still asked once (class 1 answers just END): a server that refuses cachedump
        // (-X) must fail, not pass for an empty one.
        if (classes.Count == 0)
            classes.Add("1");
        using var writer = new PooledBufferWriter();
        var encoded = new byte[1024];
        long lines = 0;
        long bytes = 0;
        var warned = false;
        foreach (var cls in classes)
        {
            await connection.SendAsciiAsync($"stats cachedump {cls} 0\r\n", cancellationToken).ConfigureAwait(false);
            connection.BeginReply();
            while (true)
            {
                var line = await connection.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line.StartsWith("CLIENT_ERROR", StringComparison.Ordinal) || line.StartsWith("ERROR", StringComparison.Ordinal))
                {
                    if (line.Contains("not allowed", StringComparison.Ordinal) && refusals.Count == 1 && refusals[0] == XRefusal)
                        throw KeysNeeded(server, "it was started with -X, which disables both 'lru_crawler metadump' and 'stats cachedump'");
                    throw KeysNeeded(server, Why(line.Contains("not allowed", StringComparison.Ordinal)
                        ? "it was started with -X, which disables 'stats cachedump'"
                        : $"it refused 'stats cachedump' ('{line}')"));
                }
                if (!warned)
                {
                    warn();
                    warned = true;
                }
                if (line == "END")
                {
                    connection.EndReply();
                    break;
                }
                // ITEM <key> [<bytes> b; <exp> s]
                var open = line.LastIndexOf(" [", StringComparison.Ordinal);
                if (!line.StartsWith("ITEM ", StringComparison.Ordinal) || open < 5)
                    continue;
                var key = Encoding.UTF8.GetBytes(line[5..open]);
                var fields = line[(open + 2)..].TrimEnd(']').Split(' ');
                var size = fields.Length > 0 ? fields[0] : "0";
                var exp = fields.Length > 2 && fields[2] != "0" ? fields[2] : "-1";
                writer.Write("key="u8);
                var n = PercentEncoding.Encode(key, encoded);
                writer.Write(encoded.AsSpan(0, n));
                writer.Write(Encoding.ASCII.GetBytes($" exp={exp} la=0 cas=0 fetch=no cls={cls} size={size}\n"));
                lines++;
            }
            if (writer.WrittenCount > 0)
            {
                sink.Write(writer.WrittenSpan, writer.WrittenSpan.Count((byte)'\n'));
                bytes += writer.WrittenCount;
                writer.Reset();
            }
        }
        if (!warned)
            warn();
        return (lines, bytes);
    }
}
