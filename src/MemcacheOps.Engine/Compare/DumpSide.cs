using System.Globalization;
using System.Threading.Channels;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Dump;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// A dump (MemcacheOps, cachemover, or one data file) as one side of a comparison. Enumerating reads
/// the records in file order; lookups use a <see cref="DumpIndex"/> built once, whose memory is
/// proportional to the number of keys compared. Items whose expiry has passed count as absent, as
/// they would be after an import. Every record is read, so a damaged file fails the comparison.
/// </summary>
internal sealed class DumpSide(string path, SampleFilter sample, IOperationSink diagnostics, List<string> notes) : ICompareSide
{
    private DumpSource? _source;
    private DumpIndex? _index;

    private DumpSource Source => _source ?? throw new InvalidOperationException("The dump is not open.");

    public string Name => _source?.Path ?? path;

    public bool FlagsTruncated => Source.FlagsMayBeTruncated;

    public bool LookupsNeedPreparation => _index is null;

    public int ServerCount => 1;

    public long? EstimatedItems => Source.Files.All(f => f.Records is not null) ? (long)(Source.Files.Sum(f => f.Records!.Value) * sample.Fraction) : null;

    public string ServerName(int index) => Name;

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        _source = DumpSource.Open(path);
        if (!_source.IsComplete)
        {
            var note = $"The dump '{_source.Path}' is incomplete, so keys it never got show up as differences: {_source.IncompleteReason}";
            diagnostics.Warning(note);
            notes.Add(note);
        }
        if (_source.IgnoredFiles.Count > 0)
            diagnostics.Verbose($"{_source.Path}: ignored {_source.IgnoredFiles.Count} file(s) the dump does not list.");
        return Task.CompletedTask;
    }

    public async Task PrepareLookupsAsync(ProgressTracker? progress, CancellationToken cancellationToken)
    {
        if (_index is not null)
            return;
        progress?.SetTotal(Source.Files.Sum(f => f.Records ?? 0));
        var index = await Task.Run(() => DumpIndex.Build(Source.Files, sample, progress is null ? null : progress.Add, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (index.Duplicates > 0)
        {
            diagnostics.Warning(string.Create(CultureInfo.InvariantCulture,
                $"The dump '{Name}' holds {index.Duplicates} record(s) whose key appeared earlier in it; the later record is compared, as an import would keep it."));
        }
        diagnostics.Verbose(string.Create(CultureInfo.InvariantCulture, $"Indexed {index.Count:N0} key(s) of '{Name}'."));
        _index = index;
    }

    public void ReleaseLookups() => _index = null;

    public async Task EnumerateAsync(CompareBatchPool pool, ChannelWriter<CompareBatch> output, bool withValues, CancellationToken cancellationToken)
    {
        foreach (var file in Source.Files)
        {
            using var reader = file.OpenReader();
            var more = true;
            while (more)
            {
                var batch = await pool.RentAsync(cancellationToken).ConfigureAwait(false);
                more = Fill(reader, batch, withValues, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                if (batch.Count > 0)
                    output.TryWrite(batch);
                else
                    pool.Return(batch);
            }
        }
    }

    /// <summary>Reads records into the batch until it is full; false at the end of the file. Synchronous, so record spans never cross an await.</summary>
    private bool Fill(DataFileReader reader, CompareBatch batch, bool withValues, long now)
    {
        while (!batch.IsFull)
        {
            if (!reader.TryReadNext(out var record))
                return false;
            if (!sample.Includes(record.Key) || !ItemRecord.TryGetTtl(record.Expiry, now, out var ttl))
                continue;
            if (!KeyCodec.IsAddressable(record.Key))
            {
                diagnostics.Warning($"Not compared: a key in '{Name}' that memcached's meta protocol cannot address ({KeyCodec.WhyNotAddressable(record.Key)}): {KeyText.ToDisplayString(record.Key, out _)}");
                continue;
            }
            var index = batch.Add(record.Key, 0);
            ref var item = ref batch.Enumerated[index];
            item.Present = true;
            item.Size = record.Value.Length;
            item.Flags = record.Flags;
            item.Ttl = ttl;
            if (withValues)
            {
                item.Digest = ItemRecord.DigestOf(record.Value);
                item.HasDigest = true;
            }
        }
        return true;
    }

    public ValueTask LookupAsync(CompareBatch batch, bool withValues, CancellationToken cancellationToken)
    {
        var index = _index ?? throw new InvalidOperationException("Lookups on the dump were not prepared.");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var keys = batch.Keys;
        for (var i = 0; i < batch.Count; i++)
        {
            if (!batch.Enumerated[i].Present)
                continue;
            index.Lookup(keys.Key(i), now, ref batch.Other[i]);
            batch.OtherServer[i] = 0;
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _index = null;
        return ValueTask.CompletedTask;
    }
}
