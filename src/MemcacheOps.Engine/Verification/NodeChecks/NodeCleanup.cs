using System.Globalization;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Verification.NodeChecks;

/// <summary>
/// Deletes every key a run wrote, on a connection of its own (the checks' may be out of step or gone), and
/// proves none is left. Runs after the checks even when they were cancelled or the server stopped answering,
/// within its own time limit. A key without the run prefix (the 1-byte key) is deleted only if it still has
/// the CAS the run saw, so a value another client wrote under it meanwhile is left alone.
/// </summary>
internal static class NodeCleanup
{
    public const string Expected = "every key the run wrote is deleted and none is left; no other key is touched";

    private const int BatchSize = 200;

    /// <summary>Returns what was done; throws <see cref="CheckFailedException"/> when a key could not be deleted.</summary>
    public static async Task<string> RunAsync(NodeSession session, TestKeys keys, bool meta, CancellationToken cancellationToken)
    {
        var written = keys.Written;
        if (written.Count == 0)
            return "no key to delete";
        var keptForOthers = 0;
        foreach (var batch in written.Chunk(BatchSize))
            keptForOthers += meta
                ? await DeleteMetaAsync(session, batch, cancellationToken).ConfigureAwait(false)
                : await DeleteTextAsync(session, batch, cancellationToken).ConfigureAwait(false);
        foreach (var batch in written.Where(k => k.Cas is null).Chunk(BatchSize))
        {
            if (meta)
                await VerifyMetaAsync(session, batch, cancellationToken).ConfigureAwait(false);
            else
                await VerifyTextAsync(session, batch, cancellationToken).ConfigureAwait(false);
        }
        var c = CultureInfo.InvariantCulture;
        var note = keptForOthers > 0 ? string.Create(c, $"; {keptForOthers} key without the prefix left alone: another client rewrote it") : string.Empty;
        return string.Create(c, $"{written.Count:N0} keys deleted, none left{note}");
    }

    /// <summary><c>md key q [b] [C&lt;cas&gt;]</c> for each key, then <c>mn</c>: silence, NF (already gone) or EX (guarded key rewritten) only.</summary>
    private static async Task<int> DeleteMetaAsync(NodeSession session, TrackedKey[] batch, CancellationToken cancellationToken)
    {
        using var request = new PooledBufferWriter(16 * 1024);
        foreach (var key in batch)
            Wire.AppendLine(request, "md " + key.Token + " q" + (key.Base64 ? " b" : string.Empty)
                + (key.Cas is { } cas ? string.Create(CultureInfo.InvariantCulture, $" C{cas}") : string.Empty));
        Wire.AppendLine(request, "mn");
        await session.SendAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
        var kept = 0;
        while (true)
        {
            var line = await session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line == "MN")
                return kept;
            if (line == "NF")
                continue;
            if (line == "EX" && batch.Any(k => k.Cas is not null))
            {
                kept++;
                continue;
            }
            throw new CheckFailedException($"deleting the run's keys: expected no reply, NF or EX, got {Expect.Show(line)}");
        }
    }

    private static async Task<int> DeleteTextAsync(NodeSession session, TrackedKey[] batch, CancellationToken cancellationToken)
    {
        // Without meta commands there are no base64 keys. A guarded key is deleted by a cas to an already expired
        // item, which succeeds only while it still has the CAS the run saw.
        using var request = new PooledBufferWriter(16 * 1024);
        foreach (var key in batch.Where(k => !k.Base64))
        {
            if (key.Cas is { } cas)
                Wire.AppendWithData(request, NodeCheckContext.StorageLine("cas", key.Token, 0, exptime: -1, cas: cas, noreply: true), []);
            else
                Wire.AppendLine(request, "delete " + key.Token + " noreply");
        }
        Wire.AppendLine(request, "version");
        await session.SendAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
        var line = await session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (!line.StartsWith("VERSION ", StringComparison.Ordinal))
            throw new CheckFailedException($"deleting the run's keys: expected no reply, got {Expect.Show(line)}");
        return 0;
    }

    /// <summary><c>mg key q k [b]</c> for each key, then <c>mn</c>: a miss is silent, so any reply is a key that is still there.</summary>
    private static async Task VerifyMetaAsync(NodeSession session, TrackedKey[] batch, CancellationToken cancellationToken)
    {
        using var request = new PooledBufferWriter(16 * 1024);
        foreach (var key in batch)
            Wire.AppendLine(request, "mg " + key.Token + " q k" + (key.Base64 ? " b" : string.Empty));
        Wire.AppendLine(request, "mn");
        await session.SendAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
        var line = await session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line != "MN")
            throw new CheckFailedException($"after deleting the run's keys one is still there: {Expect.Show(line)}");
    }

    private static async Task VerifyTextAsync(NodeSession session, TrackedKey[] batch, CancellationToken cancellationToken)
    {
        var plain = batch.Where(k => !k.Base64).Select(k => k.Token).ToList();
        if (plain.Count == 0)
            return;
        await session.SendLineAsync("get " + string.Join(' ', plain), cancellationToken).ConfigureAwait(false);
        var line = await session.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line != "END")
            throw new CheckFailedException($"after deleting the run's keys one is still there: {Expect.Show(line)}");
    }
}
