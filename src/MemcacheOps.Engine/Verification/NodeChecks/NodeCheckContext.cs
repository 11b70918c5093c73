using System.Globalization;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// What a check works with: the server's session and profile, the run's keys and values, and request helpers
/// that return replies exactly as the server sent them (the check decides what is right).
/// </summary>
public sealed class NodeCheckContext
{
    /// <summary>
    /// Every item a check writes expires after this many seconds unless the check is about expiry, so a run
    /// that is cut off before its cleanup still leaves nothing behind for long.
    /// </summary>
    public const long SafetyTtl = 600;

    private readonly NodeSession _session;

    internal NodeCheckContext(NodeSession session, NodeProfile profile, TestKeys keys, TestValues values, NodeTestOptions options)
    {
        _session = session;
        Profile = profile;
        Keys = keys;
        Values = values;
        Options = options;
    }

    public NodeProfile Profile { get; }

    public TestKeys Keys { get; }

    public TestValues Values { get; }

    public NodeTestOptions Options { get; }

    /// <summary>The server as host:port.</summary>
    public string Server => _session.Endpoint.ToString();

    internal NodeSession Session => _session;

    /// <summary>A key of this run (see <see cref="TestKeys"/>).</summary>
    public string Key(string name) => Keys.Key(name);

    public ValueTask SendLineAsync(string line, CancellationToken cancellationToken) => _session.SendLineAsync(line, cancellationToken);

    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => _session.SendAsync(bytes, cancellationToken);

    public ValueTask<string> ReadLineAsync(CancellationToken cancellationToken) => _session.ReadLineAsync(cancellationToken);

    public ValueTask<byte[]> ReadBlockAsync(int length, CancellationToken cancellationToken) => _session.ReadBlockAsync(length, cancellationToken);

    /// <summary>
    /// Sends a pipelined request while <paramref name="readReplies"/> reads its replies, as a client must:
    /// memcached stops reading a connection whose replies are not being read. When reading fails, the send is
    /// left to fail with the connection (which the run reopens) instead of being waited for.
    /// </summary>
    public async Task ReadWhileSendingAsync(ReadOnlyMemory<byte> request, Func<Task> readReplies, CancellationToken cancellationToken)
    {
        // A copy: the send may outlive a failed read, so it must not use a buffer the caller returns to a pool.
        var bytes = request.ToArray();
        var send = _session.SendAsync(bytes, cancellationToken).AsTask();
        try
        {
            await readReplies().ConfigureAwait(false);
        }
        catch
        {
            _ = send.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        await send.ConfigureAwait(false);
    }

    /// <summary>Sends one command line and returns the one reply line.</summary>
    public async Task<string> CommandAsync(string line, CancellationToken cancellationToken)
    {
        await _session.SendLineAsync(line, cancellationToken).ConfigureAwait(false);
        return await _session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The text storage command line: <c>verb key flags exptime bytes [cas] [noreply]</c>.</summary>
    public static string StorageLine(string verb, string key, int length, uint flags = 0, long exptime = SafetyTtl, ulong? cas = null, bool noreply = false)
    {
        var c = CultureInfo.InvariantCulture;
        var line = string.Create(c, $"{verb} {key} {flags} {exptime} {length}");
        if (cas is { } unique)
            line += string.Create(c, $" {unique}");
        return noreply ? line + " noreply" : line;
    }

    /// <summary>Sends a text storage command (set, add, replace, append, prepend, cas) and returns its reply line.</summary>
    public async Task<string> StoreAsync(string verb, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken,
        uint flags = 0, long exptime = SafetyTtl, ulong? cas = null)
    {
        await _session.SendWithDataAsync(StorageLine(verb, key, value.Length, flags, exptime, cas), value.Span, cancellationToken).ConfigureAwait(false);
        return await _session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a text storage command with <c>noreply</c>; nothing is read.</summary>
    public ValueTask StoreQuietlyAsync(string verb, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken,
        uint flags = 0, long exptime = SafetyTtl, ulong? cas = null)
        => _session.SendWithDataAsync(StorageLine(verb, key, value.Length, flags, exptime, cas, noreply: true), value.Span, cancellationToken);

    /// <summary>Sends a retrieval line (get, gets, gat, gats) and reads every VALUE up to END.</summary>
    public async Task<List<TextItem>> RetrieveAsync(string line, string step, CancellationToken cancellationToken)
    {
        await _session.SendLineAsync(line, cancellationToken).ConfigureAwait(false);
        return await ReadItemsAsync(step, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads <c>VALUE key flags bytes [cas]</c> blocks up to <c>END</c>; anything else fails the check.</summary>
    public async Task<List<TextItem>> ReadItemsAsync(string step, CancellationToken cancellationToken)
    {
        var items = new List<TextItem>();
        while (true)
        {
            var line = await _session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line == "END")
                return items;
            var parts = line.Split(' ');
            if (parts.Length is not (4 or 5) || parts[0] != "VALUE"
                || !uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var flags)
                || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                throw new CheckFailedException($"{step}: expected VALUE <key> <flags> <bytes> or END, got {Expect.Show(line)}");
            ulong? cas = null;
            if (parts.Length == 5)
            {
                if (!ulong.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var unique))
                    throw new CheckFailedException($"{step}: the CAS in {Expect.Show(line)} is not a number");
                cas = unique;
            }
            var value = await _session.ReadBlockAsync(length, cancellationToken).ConfigureAwait(false);
            items.Add(new TextItem(parts[1], flags, value, cas));
        }
    }

    /// <summary><c>get key</c>: the item, or null on a miss; a reply for another key fails the check.</summary>
    public async Task<TextItem?> GetAsync(string key, string step, CancellationToken cancellationToken, string verb = "get")
    {
        var items = await RetrieveAsync(verb + " " + key, step, cancellationToken).ConfigureAwait(false);
        if (items.Count == 0)
            return null;
        if (items.Count > 1 || items[0].Key != key)
            throw new CheckFailedException($"{step}: '{verb}' of one key returned {items.Count} values, the first for {Expect.Show(items[0].Key)}");
        return items[0];
    }

    /// <summary>Sends a meta command (with a data block for <c>ms</c>) and reads its reply.</summary>
    public async Task<MetaResponse> MetaAsync(string line, CancellationToken cancellationToken, ReadOnlyMemory<byte>? data = null)
    {
        if (data is { } block)
            await _session.SendWithDataAsync(line, block.Span, cancellationToken).ConfigureAwait(false);
        else
            await _session.SendLineAsync(line, cancellationToken).ConfigureAwait(false);
        return await ReadMetaAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one meta reply, with its data block when it is <c>VA</c>.</summary>
    public async Task<MetaResponse> ReadMetaAsync(CancellationToken cancellationToken)
    {
        var line = await _session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var tokens = line.Split(' ');
        if (tokens[0] != "VA")
            return new MetaResponse(line, tokens[0], tokens[1..], null);
        if (tokens.Length < 2 || !int.TryParse(tokens[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            throw new CheckFailedException($"a VA reply without a valid length: {Expect.Show(line)}");
        var value = await _session.ReadBlockAsync(length, cancellationToken).ConfigureAwait(false);
        return new MetaResponse(line, "VA", tokens[2..], value);
    }

    /// <summary>
    /// Proves nothing more is pending: sends <c>mn</c> (or <c>version</c> where meta commands are missing) and
    /// requires its reply next. Used after noreply and quiet commands, whose success is silence. With
    /// <paramref name="allowErrorLine"/>, one <c>ERROR</c> line may come first: memcached parses the unread data
    /// block of a rejected storage command as a command of its own.
    /// </summary>
    public async Task ExpectSilenceAsync(string step, CancellationToken cancellationToken, bool allowErrorLine = false)
    {
        await _session.SendLineAsync(Profile.MetaCommands ? "mn" : "version", cancellationToken).ConfigureAwait(false);
        var line = await _session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (allowErrorLine && line == "ERROR")
            line = await _session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var barrier = Profile.MetaCommands ? line == "MN" : line.StartsWith("VERSION ", StringComparison.Ordinal);
        if (!barrier)
            throw new CheckFailedException($"{step}: expected no reply, got {Expect.Show(line)}");
    }

    /// <summary>Slab class and total item size (header, key and value) from the <c>me</c> debug command; null on a miss.</summary>
    public async Task<(int Class, long Size)?> ItemLayoutAsync(string key, string step, CancellationToken cancellationToken)
    {
        var line = await CommandAsync("me " + key, cancellationToken).ConfigureAwait(false);
        if (line == "EN")
            return null;
        int? cls = null;
        long? size = null;
        foreach (var token in line.Split(' '))
        {
            if (token.StartsWith("cls=", StringComparison.Ordinal) && int.TryParse(token.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var c))
                cls = c;
            else if (token.StartsWith("size=", StringComparison.Ordinal) && long.TryParse(token.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                size = s;
        }
        if (!line.StartsWith("ME ", StringComparison.Ordinal) || cls is null || size is null)
            throw new CheckFailedException($"{step}: expected ME <key> ... cls=<class> size=<bytes>, got {Expect.Show(line)}");
        return (cls.Value, size.Value);
    }

    /// <summary>
    /// Bytes an item under <paramref name="key"/> takes besides its value: measured with <c>me</c> on a 1-byte
    /// value when the server has it, else memcached's formula (<see cref="NodeProfile.ItemOverhead"/>).
    /// </summary>
    public async Task<int> ItemOverheadAsync(string key, CancellationToken cancellationToken)
    {
        if (!Profile.MetaDebug)
            return Profile.ItemOverhead(key.Length, nonZeroFlags: false);
        Expect.Reply("set of a 1-byte value to measure the item overhead", await StoreAsync("set", key, "o"u8.ToArray(), cancellationToken).ConfigureAwait(false), "STORED");
        var layout = await ItemLayoutAsync(key, "me of the 1-byte value", cancellationToken).ConfigureAwait(false)
            ?? throw new CheckFailedException("me of a value just stored: expected ME, got EN");
        return (int)layout.Size - 1;
    }

    /// <summary>Chunk size of every slab class that holds items, from <c>stats slabs</c>.</summary>
    public async Task<IReadOnlyDictionary<int, long>> SlabChunkSizesAsync(CancellationToken cancellationToken)
    {
        var pairs = await Stats.StatsReader.ReadAsync(_session.Connection, Stats.StatsGroup.Slabs, cancellationToken).ConfigureAwait(false);
        var sizes = new Dictionary<int, long>();
        foreach (var (name, value) in pairs)
        {
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && name.AsSpan(colon + 1).SequenceEqual("chunk_size")
                && int.TryParse(name.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var cls)
                && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                sizes[cls] = size;
        }
        return sizes;
    }

    /// <summary>Remaining TTL from <c>mg key t</c> (-1: never expires); null on a miss.</summary>
    public async Task<long?> TtlAsync(string key, string step, CancellationToken cancellationToken)
    {
        var reply = await MetaAsync($"mg {key} t", cancellationToken).ConfigureAwait(false);
        if (reply.Code == "EN")
            return null;
        Expect.Reply(step, reply.Code, "HD", reply.Line);
        return reply.LongFlag('t', step);
    }
}

/// <summary>One VALUE of a text retrieval.</summary>
public sealed record TextItem(string Key, uint Flags, byte[] Value, ulong? Cas);

/// <summary>One meta reply: its code, its flag tokens in the order sent (a VA's length removed) and its value.</summary>
public sealed record MetaResponse(string Line, string Code, IReadOnlyList<string> Flags, byte[]? Value)
{
    /// <summary>The token of flag <paramref name="letter"/> without its letter, or null when absent.</summary>
    public string? Flag(char letter)
    {
        foreach (var token in Flags)
        {
            if (token.Length > 0 && token[0] == letter)
                return token[1..];
        }
        return null;
    }

    /// <summary>The flag letters in the order they came back.</summary>
    public string Letters => string.Concat(Flags.Where(f => f.Length > 0).Select(f => f[0]));

    /// <summary>A numeric flag; a missing or malformed one fails the check.</summary>
    public long LongFlag(char letter, string step)
    {
        var token = Flag(letter);
        if (token is null || !long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new CheckFailedException($"{step}: expected a numeric '{letter}' flag in {Expect.Show(Line)}");
        return value;
    }

    public ulong UnsignedFlag(char letter, string step)
    {
        var token = Flag(letter);
        if (token is null || !ulong.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new CheckFailedException($"{step}: expected a numeric '{letter}' flag in {Expect.Show(Line)}");
        return value;
    }
}
