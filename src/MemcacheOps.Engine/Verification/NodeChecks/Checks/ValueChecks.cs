using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// Values: empty, with the protocol's own line endings inside, every byte value, unique per key, around
// slab class boundaries and at the item size limit. Every value is derived from its key, so a value
// served under another key never compares equal.

internal sealed class EmptyValueCheck : NodeCheck
{
    public override string Group => "Values";
    public override string Name => "Empty";
    public override string Expected => "a 0-byte value stores and reads back as VALUE key flags 0 (set/get) and VA 0 (ms/mg); appending nothing keeps it";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("empty");
        Expect.Reply("set of 0 bytes", await c.StoreAsync("set", key, Array.Empty<byte>(), ct, flags: 9), "STORED");
        Expect.Item("get of a 0-byte value", await c.GetAsync(key, "get of a 0-byte value", ct), [], 9);
        Expect.Reply("append of 0 bytes", await c.StoreAsync("append", key, Array.Empty<byte>(), ct), "STORED");
        Expect.Item("get after appending 0 bytes", await c.GetAsync(key, "get after appending 0 bytes", ct), [], 9);
        if (!c.Profile.MetaCommands)
            return "0 bytes via set/get";
        var meta = c.Key("empty:ms");
        Expect.Code("ms of 0 bytes", await c.MetaAsync($"ms {meta} 0 T{NodeCheckContext.SafetyTtl}", ct, Array.Empty<byte>()), "HD");
        var got = await c.MetaAsync($"mg {meta} v s", ct);
        Expect.Value("mg of a 0-byte value", got, []);
        Expect.Reply("mg of a 0-byte value", got.Line, "VA 0 s0");
        return "0 bytes via set/get, append and ms/mg";
    }
}

internal sealed class LineEndingValuesCheck : NodeCheck
{
    private static readonly string[] Samples =
    [
        "\r\n", "\r", "\n", "\r\n\r\n", "a\r\nb", "\r\nEND\r\n", "END\r\n", "VALUE x 0 1\r\nx\r\nEND\r\n", "HD\r\nMN\r\n", "STORED\r\n", "\n\r",
    ];

    public override string Group => "Values";
    public override string Name => "LineEndings";
    public override string Expected => "values holding CR, LF, CRLF and reply lines (END, VALUE, STORED, HD, MN) read back exactly; the length, not the content, frames them";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        for (var i = 0; i < Samples.Length; i++)
        {
            var key = c.Key(TestKeys.Name("crlf", i));
            var value = Encoding.ASCII.GetBytes(Samples[i]);
            var step = $"value {Expect.Show(Samples[i])}";
            Expect.Reply("set of " + step, await c.StoreAsync("set", key, value, ct), "STORED");
            Expect.Item("get of " + step, await c.GetAsync(key, "get of " + step, ct), value);
            if (c.Profile.MetaCommands)
                Expect.Value("mg of " + step, await c.MetaAsync($"mg {key} v", ct), value);
        }
        var items = await c.RetrieveAsync("get " + string.Join(' ', Enumerable.Range(0, Samples.Length).Select(i => c.Keys.Prefix + TestKeys.Name("crlf", i))), "get of all of them", ct);
        Expect.Equal("get of all of them: VALUE count", Samples.Length, items.Count);
        return string.Create(CultureInfo.InvariantCulture, $"{Samples.Length} values exact one by one and in one get");
    }
}

internal sealed class EveryByteValueCheck : NodeCheck
{
    public override string Group => "Values";
    public override string Name => "EveryByte";
    public override string Expected => "a value holding every byte value 0x00-0xFF (up and down) reads back exactly through get and mg";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Key("bytes");
        var value = new byte[512];
        for (var i = 0; i < 256; i++)
        {
            value[i] = (byte)i;
            value[511 - i] = (byte)i;
        }
        Expect.Reply("set", await c.StoreAsync("set", key, value, ct), "STORED");
        Expect.Item("get", await c.GetAsync(key, "get", ct), value);
        if (!c.Profile.MetaCommands)
            return "512 bytes exact (get)";
        Expect.Value("mg", await c.MetaAsync($"mg {key} v", ct), value);
        return "512 bytes exact (get and mg)";
    }
}

internal sealed class UniqueValuesCheck : NodeCheck
{
    private const int SameLength = 150;
    private const int SameLengthBytes = 1000;
    private static readonly int[] OtherLengths = [.. Enumerable.Range(0, 50).Select(i => 1 + i * i * 3)];

    public override string Group => "Values";
    public override string Name => "Unique";
    public override string Expected => "200 keys, 150 with values of the same length, each value unique to its key: every one read back matches its own SHA-256 (get and mg)";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var lengths = Enumerable.Repeat(SameLengthBytes, SameLength).Concat(OtherLengths).ToArray();
        var keys = lengths.Select((_, i) => c.Key(TestKeys.Name("unique", i))).ToArray();
        var checksums = keys.Select((k, i) => c.Values.Checksum(k, lengths[i])).ToArray();
        var meta = c.Profile.MetaCommands;
        using (var request = new PooledBufferWriter(256 * 1024))
        {
            for (var i = 0; i < keys.Length; i++)
            {
                var line = meta ? $"ms {keys[i]} {lengths[i]} T{NodeCheckContext.SafetyTtl} q" : NodeCheckContext.StorageLine("set", keys[i], lengths[i], noreply: true);
                Wire.AppendWithData(request, line, c.Values.For(keys[i], lengths[i]));
            }
            await c.SendAsync(request.WrittenMemory, ct);
        }
        await c.ExpectSilenceAsync("200 quiet writes", ct);

        var items = await c.RetrieveAsync("get " + string.Join(' ', keys), "get of 200 keys", ct);
        Expect.Equal("get of 200 keys: VALUE count", keys.Length, items.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            Expect.Reply("get of 200 keys: key order", items[i].Key, keys[i]);
            Compare(c, $"get: {keys[i]}", keys[i], lengths[i], checksums[i], items[i].Value);
        }
        if (!meta)
            return "200 values exact by SHA-256 (get)";
        using (var request = new PooledBufferWriter(32 * 1024))
        {
            foreach (var key in keys)
                Wire.AppendLine(request, $"mg {key} v k q");
            Wire.AppendLine(request, "mn");
            await c.ReadWhileSendingAsync(request.WrittenMemory, async () =>
            {
                for (var i = 0; i < keys.Length; i++)
                {
                    var reply = await c.ReadMetaAsync(ct);
                    Expect.Reply($"mg of 200 keys: reply {i + 1}", reply.Flag('k') ?? reply.Line, keys[i]);
                    Compare(c, $"mg: {keys[i]}", keys[i], lengths[i], checksums[i], reply.Value);
                }
                Expect.Reply("after 200 mg", await c.ReadLineAsync(ct), "MN");
            }, ct);
        }
        return "200 values exact by SHA-256 (get and mg)";
    }

    private static void Compare(NodeCheckContext c, string step, string key, int length, byte[] checksum, byte[]? actual)
    {
        if (actual is not null && SHA256.HashData(actual).AsSpan().SequenceEqual(checksum))
            return;
        Expect.Bytes(step, c.Values.For(key, length), actual);
        throw new CheckFailedException($"{step}: the value's SHA-256 differs");
    }
}

/// <summary>
/// Values that exactly fill a slab class's chunk and one byte more, for the smallest class, the classes near
/// 1 KiB and 16 KiB, and the largest (slab_chunk_max, past which items span several chunks). With <c>me</c>
/// the classes are confirmed: the full value in its class, one byte more in the next (or chunked).
/// </summary>
internal sealed class SlabBoundaryCheck : NodeCheck
{
    public override string Group => "Values";
    public override string Name => "SlabBoundaries";
    public override string Expected => "values filling the smallest, ~1 KiB, ~16 KiB and largest slab chunks a key of the run fits exactly, and one byte more, read back exactly and land in consecutive classes";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var profile = c.Profile;
        var chunkMax = profile.SlabChunkMax ?? 512 * 1024;
        var classes = SlabClasses.ChunkSizes(profile.ChunkSize, profile.GrowthFactor, chunkMax);
        // The smallest class some keys of this run fit in: the run prefix makes its keys longer than most.
        var keyLength = c.Keys.Prefix.Length + "slab:00000000:full".Length;
        var smallest = classes.First(size => size > profile.ItemOverhead(keyLength, nonZeroFlags: false) + 1);
        var chosen = new SortedSet<long> { smallest, Nearest(classes, 1024), Nearest(classes, 16 * 1024), classes[^1] };
        var seen = new List<string>();
        foreach (var target in chosen)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"slab:{target:D8}");
            var full = c.Key(name + ":full");
            var over = c.Key(name + ":over");
            var overhead = await c.ItemOverheadAsync(full, ct);
            var size = target;
            var length = (int)(size - overhead);
            if (profile.ItemSizeMax is { } max && length + 1 + overhead > max)
                continue;
            var value = c.Values.For(full, length);
            Expect.Reply($"set of {length:N0} bytes", await c.StoreAsync("set", full, value, ct), "STORED");
            string placement = "class not confirmed (no me command)";
            if (profile.MetaDebug)
            {
                var layout = await c.ItemLayoutAsync(full, "me of the full value", ct) ?? throw new CheckFailedException("me of a value just stored: EN");
                var actualSizes = await c.SlabChunkSizesAsync(ct);
                if (actualSizes.TryGetValue(layout.Class, out var chunk) && chunk != size)
                {
                    // The server's classes differ from the growth-factor formula (-o slab_sizes): use its own boundary.
                    size = chunk;
                    length = (int)(size - overhead);
                    value = c.Values.For(full, length);
                    Expect.Reply($"set of {length:N0} bytes", await c.StoreAsync("set", full, value, ct), "STORED");
                    layout = await c.ItemLayoutAsync(full, "me of the full value", ct) ?? throw new CheckFailedException("me of a value just stored: EN");
                }
                Expect.Equal(string.Create(CultureInfo.InvariantCulture, $"me of a {length:N0}-byte value: item size"), size, layout.Size);
                placement = string.Create(CultureInfo.InvariantCulture, $"class {layout.Class}");
                var overValue = c.Values.For(over, length + 1);
                Expect.Reply($"set of {length + 1:N0} bytes", await c.StoreAsync("set", over, overValue, ct), "STORED");
                var next = await c.ItemLayoutAsync(over, "me of the value one byte larger", ct) ?? throw new CheckFailedException("me of a value just stored: EN");
                if (size >= chunkMax)
                {
                    Expect.True(next.Size > chunkMax, $"me of {length + 1:N0} bytes", "an item larger than slab_chunk_max (chunked)", string.Create(CultureInfo.InvariantCulture, $"size {next.Size}"));
                    placement += "|chunked";
                }
                else
                {
                    Expect.Equal($"me of {length + 1:N0} bytes (one past class {layout.Class}): class", layout.Class + 1, next.Class);
                    placement += string.Create(CultureInfo.InvariantCulture, $"|{next.Class}");
                }
            }
            else
            {
                Expect.Reply($"set of {length + 1:N0} bytes", await c.StoreAsync("set", over, c.Values.For(over, length + 1), ct), "STORED");
            }
            Expect.Item($"get of {length:N0} bytes", await c.GetAsync(full, $"get of {length:N0} bytes", ct), value);
            Expect.Item($"get of {length + 1:N0} bytes", await c.GetAsync(over, $"get of {length + 1:N0} bytes", ct), c.Values.For(over, length + 1));
            if (profile.MetaCommands)
                Expect.Value($"mg of {length + 1:N0} bytes", await c.MetaAsync($"mg {over} v", ct), c.Values.For(over, length + 1));
            seen.Add(string.Create(CultureInfo.InvariantCulture, $"{ByteSize.Describe(size)} ({placement})"));
        }
        return "exact at " + string.Join(", ", seen);
    }

    private static long Nearest(IReadOnlyList<long> sizes, long target) => sizes.MinBy(s => Math.Abs(s - target));
}

/// <summary>Writing values as large as item_size_max, and larger, to a live server: fine up to this size without -Destructive.</summary>
internal static class LargeValues
{
    public const long GentleLimit = 32L * 1024 * 1024;

    /// <summary>The item size limit, or a skip when it is unknown or too large to write without -Destructive.</summary>
    public static long Limit(NodeCheckContext c)
    {
        if (c.Profile.ItemSizeMax is not { } max)
            throw new CheckSkippedException("the server does not report item_size_max (stats settings refused)");
        if (max > GentleLimit && !c.Options.Destructive)
            throw new CheckSkippedException($"item_size_max is {ByteSize.Describe(max)}; writing values that large to a live server needs -Destructive (--destructive)");
        return max;
    }
}

internal sealed class ItemSizeMaxCheck : NodeCheck
{
    public override string Group => "Values";
    public override string Name => "ItemSizeMax";
    public override string Expected => "the largest value item_size_max allows (the limit less the item's header and key) stores and reads back exactly through set/get and ms/mg";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var max = LargeValues.Limit(c);
        var key = c.Key("isize:max");
        var length = (int)(max - await c.ItemOverheadAsync(key, ct));
        var value = c.Values.For(key, length);
        Expect.Reply($"set of {length:N0} bytes (item_size_max {ByteSize.Describe(max)})", await c.StoreAsync("set", key, value, ct), "STORED");
        Expect.Item($"get of {length:N0} bytes", await c.GetAsync(key, $"get of {length:N0} bytes", ct), value);
        if (!c.Profile.MetaCommands)
            return string.Create(CultureInfo.InvariantCulture, $"{length:N0} bytes exact (set/get)");
        var metaKey = c.Key("isize:max:ms");
        var metaLength = (int)(max - await c.ItemOverheadAsync(metaKey, ct));
        var metaValue = c.Values.For(metaKey, metaLength);
        Expect.Code($"ms of {metaLength:N0} bytes", await c.MetaAsync($"ms {metaKey} {metaLength} T{NodeCheckContext.SafetyTtl}", ct, metaValue), "HD");
        Expect.Value($"mg of {metaLength:N0} bytes", await c.MetaAsync($"mg {metaKey} v", ct), metaValue);
        return string.Create(CultureInfo.InvariantCulture, $"{length:N0} bytes exact (set/get and ms/mg)");
    }
}

internal sealed class TooLargeValueCheck : NodeCheck
{
    public override string Group => "Values";
    public override string Name => "TooLarge";
    public override string Expected => "one byte more than item_size_max allows is refused with SERVER_ERROR object too large for cache, and the key's old value is gone (set and ms)";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var max = LargeValues.Limit(c);
        var key = c.Key("isize:over");
        var length = (int)(max - await c.ItemOverheadAsync(key, ct)) + 1;
        Expect.Reply("set of the old value", await c.StoreAsync("set", key, c.Values.For(key, 10), ct), "STORED");
        Expect.Reply($"set of {length:N0} bytes (item_size_max {ByteSize.Describe(max)})", await c.StoreAsync("set", key, c.Values.For(key + "#big", length), ct), "SERVER_ERROR object too large for cache");
        Expect.Miss("get after the refused set (memcached drops the old value)", await c.GetAsync(key, "get after the refused set", ct));
        if (!c.Profile.MetaCommands)
            return string.Create(CultureInfo.InvariantCulture, $"{length:N0} bytes refused; old value gone (set)");
        Expect.Code("ms of the old value", await c.MetaAsync($"ms {key} 10 T{NodeCheckContext.SafetyTtl}", ct, c.Values.For(key, 10)), "HD");
        Expect.Reply($"ms of {length:N0} bytes", (await c.MetaAsync($"ms {key} {length} T{NodeCheckContext.SafetyTtl}", ct, c.Values.For(key + "#big", length))).Line, "SERVER_ERROR object too large for cache");
        Expect.Reply("mg after the refused ms", (await c.MetaAsync($"mg {key} v", ct)).Line, "EN");
        return string.Create(CultureInfo.InvariantCulture, $"{length:N0} bytes refused; old value gone (set and ms)");
    }
}
