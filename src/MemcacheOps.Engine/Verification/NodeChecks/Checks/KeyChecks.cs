using System.Globalization;
using System.Text;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Verification.NodeChecks.Checks;

// Key lengths at and past memcached's limits, and binary keys through the meta protocol's base64 form.

internal sealed class OneByteKeyCheck : NodeCheck
{
    public override string Group => "Keys";
    public override string Name => "OneByte";
    public override string Expected => "a 1-byte key stores and reads back (found with add, so a key another client uses is never overwritten)";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        // A 1-byte key cannot carry the run prefix. add only creates a key nobody has; the delete at the end is
        // guarded by the CAS this run saw, so a value another client writes meanwhile survives.
        var start = Random.Shared.Next(94);
        for (var i = 0; i < 94; i++)
        {
            var key = ((char)('!' + (start + i) % 94)).ToString();
            var value = c.Values.For(c.Keys.Prefix + "onebyte:" + key, 16);
            var reply = await c.StoreAsync("add", key, value, ct);
            if (reply == "NOT_STORED")
                continue;
            Expect.Reply($"add of the 1-byte key '{key}'", reply, "STORED");
            var item = await c.GetAsync(key, $"gets of '{key}'", ct, verb: "gets");
            if (item?.Cas is { } cas)
                c.Keys.Track(key, base64: false, cas);
            Expect.Item($"gets of the 1-byte key '{key}'", item, value);
            if (c.Profile.MetaCommands)
            {
                var deleted = await c.MetaAsync(string.Create(CultureInfo.InvariantCulture, $"md {key} C{item!.Cas}"), ct);
                Expect.Reply($"md of '{key}' with the CAS this run saw", deleted.Code, "HD", deleted.Line);
            }
            else
            {
                // The text protocol's guarded delete: cas to an already expired item succeeds only with the run's CAS.
                Expect.Reply($"cas of '{key}' to an expired item with the CAS this run saw", await c.StoreAsync("cas", key, Array.Empty<byte>(), ct, exptime: -1, cas: item!.Cas), "STORED");
                Expect.Miss($"get of '{key}' after its guarded delete", await c.GetAsync(key, "get after the guarded delete", ct));
            }
            c.Keys.Forget(key);
            return $"key '{key}' stored, read back and deleted";
        }
        throw new CheckSkippedException("every printable 1-byte key is in use on this server; none was touched");
    }
}

internal sealed class MaxLengthKeyCheck : NodeCheck
{
    public override string Group => "Keys";
    public override string Name => "MaxLength";
    public override string Expected => "a 250-byte key stores and reads back through set/get and ms/mg, and get returns it whole";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var key = c.Keys.KeyOfLength("max", KeyCodec.MaxKeyLength);
        var value = c.Values.For(key, 40);
        Expect.Reply("set with a 250-byte key", await c.StoreAsync("set", key, value, ct), "STORED");
        Expect.Item("get with a 250-byte key", await c.GetAsync(key, "get with a 250-byte key", ct), value);
        if (!c.Profile.MetaCommands)
            return "250-byte key stored and read back (text)";
        var metaKey = c.Keys.KeyOfLength("max:meta", KeyCodec.MaxKeyLength);
        var stored = await c.MetaAsync($"ms {metaKey} {value.Length} T{NodeCheckContext.SafetyTtl}", ct, value);
        Expect.Reply("ms with a 250-byte key", stored.Code, "HD", stored.Line);
        var got = await c.MetaAsync($"mg {metaKey} v k", ct);
        Expect.Value("mg with a 250-byte key", got, value);
        Expect.Reply("mg k of a 250-byte key", got.Flag('k') ?? string.Empty, metaKey, got.Line);
        return "250-byte keys stored and read back (set/get and ms/mg)";
    }
}

internal sealed class TooLongKeyCheck : NodeCheck
{
    public override string Group => "Keys";
    public override string Name => "TooLong";
    public override string Expected => "a 251-byte key is rejected with CLIENT_ERROR by set, get, mg, ms and md, and nothing is stored";

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        // Never stored, so not tracked: built from the prefix without KeyOfLength.
        var key = c.Keys.Prefix + "long:" + new string('k', KeyCodec.MaxKeyLength + 1 - c.Keys.Prefix.Length - 5);
        var value = "x"u8.ToArray();
        // memcached leaves the data block of a rejected set unread and answers it with ERROR too.
        Expect.StartsWith("set with a 251-byte key", await c.StoreAsync("set", key, value, ct), "CLIENT_ERROR");
        await c.ExpectSilenceAsync("after the rejected set", ct, allowErrorLine: true);
        Expect.StartsWith("get with a 251-byte key", await c.CommandAsync("get " + key, ct), "CLIENT_ERROR");
        if (c.Profile.MetaCommands)
        {
            Expect.StartsWith("mg with a 251-byte key", (await c.MetaAsync($"mg {key} v", ct)).Line, "CLIENT_ERROR");
            Expect.StartsWith("ms with a 251-byte key", (await c.MetaAsync($"ms {key} 1", ct, value)).Line, "CLIENT_ERROR");
            await c.ExpectSilenceAsync("after the rejected ms", ct, allowErrorLine: true);
            Expect.StartsWith("md with a 251-byte key", (await c.MetaAsync($"md {key}", ct)).Line, "CLIENT_ERROR");
        }
        var shorter = key[..KeyCodec.MaxKeyLength];
        Expect.Miss("get of its first 250 bytes", await c.GetAsync(shorter, "get of the first 250 bytes", ct));
        return c.Profile.MetaCommands ? "CLIENT_ERROR from set, get, mg, ms and md; nothing stored" : "CLIENT_ERROR from set and get; nothing stored";
    }
}

/// <summary>A binary key (NUL, space, CR, LF, DEL, bytes above 0x7F) of 186 bytes, the most base64 allows in a 250-byte token.</summary>
internal sealed class Base64KeyCheck : NodeCheck
{
    public override string Group => "Keys";
    public override string Name => "Base64";
    public override string Expected => "a 186-byte binary key sent as base64 with b stores, reads back with k and b echoed, and deletes";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var raw = BinaryKey(c, KeyCodec.MaxBinaryKeyLength);
        var token = Convert.ToBase64String(raw);
        c.Keys.Track(token, base64: true, cas: null);
        var value = c.Values.For(token, 64);
        var stored = await c.MetaAsync($"ms {token} {value.Length} b k T{NodeCheckContext.SafetyTtl}", ct, value);
        Expect.Reply("ms of a base64 key", stored.Line, $"HD k{token} b");
        var got = await c.MetaAsync($"mg {token} b v k", ct);
        Expect.Value("mg of a base64 key", got, value);
        Expect.Reply("mg of a base64 key: k and b", string.Join(' ', got.Flags), $"k{token} b", got.Line);
        Expect.Reply("md of a base64 key", (await c.MetaAsync($"md {token} b", ct)).Line, "HD");
        Expect.Reply("mg after md", (await c.MetaAsync($"mg {token} b v", ct)).Line, "EN");
        c.Keys.Forget(token);
        return "186-byte binary key stored, read back and deleted";
    }

    /// <summary>The run prefix, then every troublesome byte, then bytes that differ from run to run.</summary>
    internal static byte[] BinaryKey(NodeCheckContext c, int length)
    {
        var key = new byte[length];
        var prefix = Encoding.ASCII.GetBytes(c.Keys.Prefix + "b64:");
        prefix.CopyTo(key, 0);
        byte[] awkward = [0x00, 0x20, 0x0D, 0x0A, 0x09, 0x7F, 0x80, 0xFF, (byte)'%', (byte)':'];
        awkward.CopyTo(key, prefix.Length);
        c.Values.For(c.Keys.Prefix + "b64:" + length.ToString(CultureInfo.InvariantCulture), length - prefix.Length - awkward.Length)
            .CopyTo(key, prefix.Length + awkward.Length);
        return key;
    }
}

internal sealed class Base64TooLongKeyCheck : NodeCheck
{
    public override string Group => "Keys";
    public override string Name => "Base64TooLong";
    public override string Expected => "a 187-byte binary key (252 base64 characters) is rejected with CLIENT_ERROR and nothing is stored";
    public override CheckNeeds Needs => CheckNeeds.MetaCommands;

    public override async Task<string> RunAsync(NodeCheckContext c, CancellationToken ct)
    {
        var token = Convert.ToBase64String(Base64KeyCheck.BinaryKey(c, KeyCodec.MaxBinaryKeyLength + 1));
        Expect.StartsWith("ms of a 187-byte binary key", (await c.MetaAsync($"ms {token} 1 b", ct, "x"u8.ToArray())).Line, "CLIENT_ERROR");
        await c.ExpectSilenceAsync("after the rejected ms", ct, allowErrorLine: true);
        Expect.StartsWith("mg of a 187-byte binary key", (await c.MetaAsync($"mg {token} b v", ct)).Line, "CLIENT_ERROR");
        var bad = await c.MetaAsync("mg !!notbase64!! b v", ct);
        Expect.StartsWith("mg of a token that is not base64", bad.Line, "CLIENT_ERROR");
        return "CLIENT_ERROR for 252 base64 characters and for bad base64";
    }
}
