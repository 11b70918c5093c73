using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using MemcacheOps.Engine.Diagnostics;
using MemcacheOps.Engine.Listing;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Compare;

/// <summary>
/// Compares a reference (server, ring or dump) with a difference side and emits only what differs,
/// in two passes with bounded memory. Pass 1 enumerates the reference in batches and looks each
/// batch up on the difference side: Missing, ValueMismatch, FlagsMismatch, TtlMismatch. Pass 2
/// enumerates the difference side (lengths, flags and TTLs only, no values) and looks each key up on
/// the reference to find Extra keys. Live servers keep changing while they are compared: an item
/// that expires, is evicted or is written during the run shows up as a difference.
/// </summary>
public static class CompareService
{
    private const string Activity = "Compare-MemcacheData";

    public static async Task<CompareSummary> RunAsync(ComparisonOptions options, IOperationSink sink, CancellationToken cancellationToken)
    {
        Validate(options);
        var sample = new SampleFilter(options.Sample);
        var clock = Stopwatch.StartNew();
        var notes = new List<string>();
        var counts = new Counts();
        using var run = new CompareRun(cancellationToken);
        var throttles = options.MaxOperationsPerSecond is null && options.MaxBytesPerSecond is null
            ? null
            : new ThrottleRegistry(new ThrottleLimits { OperationsPerSecond = options.MaxOperationsPerSecond, BytesPerSecond = options.MaxBytesPerSecond });
        var reference = CreateSide(options.Reference, options, sample, throttles, run, sink, notes);
        var difference = CreateSide(options.Difference, options, sample, throttles, run, sink, notes);
        try
        {
            await reference.OpenAsync(run.Token).ConfigureAwait(false);
            await difference.OpenAsync(run.Token).ConfigureAwait(false);
            var flagsMask = uint.MaxValue;
            if (reference.FlagsTruncated || difference.FlagsTruncated)
            {
                flagsMask = 0xFFFF;
                notes.Add("A cachemover dump keeps only the low 16 bits of flags, so flags were compared on their low 16 bits.");
            }
            var pass1 = new Pass(options, sink, run, counts, reference, difference, flagsMask, ExtraPass: false);
            await PrepareLookupsAsync(difference, sink, run.Token).ConfigureAwait(false);
            await RunPassAsync(pass1, "pass 1 of 2: checking the reference's items").ConfigureAwait(false);
            difference.ReleaseLookups();

            var pass2 = pass1 with { Enumerated = difference, Lookup = reference, ExtraPass = true };
            await PrepareLookupsAsync(reference, sink, run.Token).ConfigureAwait(false);
            await RunPassAsync(pass2, "pass 2 of 2: looking for extra keys").ConfigureAwait(false);
            reference.ReleaseLookups();
        }
        catch (Exception) when (run.Failure is not null)
        {
            // Nothing is reported as compared when a side failed: a partial comparison must never pass for equal.
            if (run.Failure is MemcacheException { Kind: MemcacheErrorKind.Timeout or MemcacheErrorKind.ConnectionFailed or MemcacheErrorKind.NotMemcached } failure)
                throw failure.WithAdvice("The comparison was not finished: run it again once the server is back.");
            run.ThrowIfFailed();
            throw;
        }
        finally
        {
            await reference.DisposeAsync().ConfigureAwait(false);
            await difference.DisposeAsync().ConfigureAwait(false);
        }
        run.ThrowIfFailed();
        if (options.Keys is { IsListing: false } keys)
        {
            // Pass 1 enumerated the reference, pass 2 the difference side: each counted the given keys it lacked.
            var notOnReference = (reference as ServerSide)?.KeysMissing;
            var notOnDifference = (difference as ServerSide)?.KeysMissing;
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"Compared only the keys from {keys.Description}; not held by the reference: {Shown(notOnReference)}, not held by the difference side: {Shown(notOnDifference)}. A key neither side holds is not a difference."));
        }

        var summary = new CompareSummary
        {
            Reference = reference.Name,
            Difference = difference.Name,
            Compared = counts.Compared,
            Equal = counts.Compared - counts.Missing - counts.Extra - counts.ValueMismatch - counts.FlagsMismatch - counts.TtlMismatch,
            Missing = counts.Missing,
            Extra = counts.Extra,
            ValueMismatch = counts.ValueMismatch,
            FlagsMismatch = counts.FlagsMismatch,
            TtlMismatch = counts.TtlMismatch,
            Duration = clock.Elapsed,
            SampledFraction = sample.Fraction,
            Notes = notes,
        };
        if (options.Summary)
            await sink.EmitAsync(summary, cancellationToken).ConfigureAwait(false);
        return summary;
    }

    private static string Shown(long? count) => count is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "n/a (a dump)";

    private static void Validate(ComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Reference);
        ArgumentNullException.ThrowIfNull(options.Difference);
        if (options.Connections is < 1 or > 64 || options.Window is < 1 or > 64 || options.BatchSize is < 1 or > 10_000)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidSetting", "Connections and window must be 1-64 and the batch size 1-10000.");
        if (options.TtlTolerance < 0)
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "InvalidTtlTolerance",
                $"The TTL tolerance must be 0 or more seconds, not {options.TtlTolerance.ToString(CultureInfo.InvariantCulture)}.");
    }

    private static ICompareSide CreateSide(CompareSide side, ComparisonOptions options, SampleFilter sample, ThrottleRegistry? throttles,
        CompareRun run, IOperationSink sink, List<string> notes)
        => side.Path is { } path
            ? new DumpSide(path, sample, sink, notes)
            : new ServerSide(side, options, sample, throttles, run, sink);

    private static async Task PrepareLookupsAsync(ICompareSide side, IOperationSink sink, CancellationToken cancellationToken)
    {
        if (!side.LookupsNeedPreparation)
        {
            await side.PrepareLookupsAsync(null, cancellationToken).ConfigureAwait(false);
            return;
        }
        using var progress = new ProgressTracker(sink, Activity, "indexing " + side.Name);
        await side.PrepareLookupsAsync(progress, cancellationToken).ConfigureAwait(false);
        progress.Complete();
    }

    /// <summary>What one pass needs: which side is enumerated, which is looked up, and how items are judged.</summary>
    private sealed record Pass(ComparisonOptions Options, IOperationSink Sink, CompareRun Run, Counts Counts,
        ICompareSide Enumerated, ICompareSide Lookup, uint FlagsMask, bool ExtraPass);

    /// <summary>
    /// Enumerates one side into a bounded pool of batches while workers look each batch up on the
    /// other side and classify it. The pool's size bounds memory: the enumeration waits for a free batch.
    /// </summary>
    private static async Task RunPassAsync(Pass pass, string phase)
    {
        var options = pass.Options;
        var token = pass.Run.Token;
        var workers = Math.Clamp(options.Connections * options.Window, 2, 64);
        // Enough batches for every worker plus, per server listed at once, a full window on each connection and one being filled.
        var listed = Math.Min(pass.Enumerated.ServerCount, 4);
        var batches = workers + listed * (options.Connections * options.Window + 1);
        using var pool = new CompareBatchPool(batches, options.BatchSize);
        var output = Channel.CreateUnbounded<CompareBatch>();
        using var progress = new ProgressTracker(pass.Sink, Activity, phase);
        if (pass.Enumerated.EstimatedItems is { } total)
            progress.SetTotal(total);

        var producer = Task.Run(async () =>
        {
            try
            {
                await pass.Enumerated.EnumerateAsync(pool, output.Writer, withValues: !pass.ExtraPass, token).ConfigureAwait(false);
                output.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                pass.Run.Fail(ex);
                output.Writer.TryComplete(ex);
                throw;
            }
        }, token);
        var consumers = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            try
            {
                await ConsumeAsync(pass, pool, output.Reader, progress).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                pass.Run.Fail(ex);
                throw;
            }
        }, token)).ToArray();
        await Task.WhenAll([producer, .. consumers]).ConfigureAwait(false);
        progress.Complete();
    }

    private static async Task ConsumeAsync(Pass pass, CompareBatchPool pool, ChannelReader<CompareBatch> input, ProgressTracker progress)
    {
        var token = pass.Run.Token;
        var tally = new Counts();
        await foreach (var batch in input.ReadAllAsync(token).ConfigureAwait(false))
        {
            try
            {
                await pass.Lookup.LookupAsync(batch, withValues: !pass.ExtraPass, token).ConfigureAwait(false);
                long items = 0, bytes = 0;
                for (var i = 0; i < batch.Count; i++)
                {
                    ref readonly var enumerated = ref batch.Enumerated[i];
                    if (!enumerated.Present)
                        continue; // gone between the listing and the read: not on this side any more
                    items++;
                    bytes += Math.Max(enumerated.Size, 0);
                    DifferenceKind? kind = pass.ExtraPass
                        ? batch.Other[i].Present ? null : DifferenceKind.Extra
                        : ItemComparer.Classify(enumerated, batch.Other[i], pass.FlagsMask, pass.Options.TtlTolerance);
                    if (!pass.ExtraPass)
                        tally.Compared++;
                    if (kind is not { } found)
                        continue;
                    tally.Add(found);
                    if (!pass.Options.Summary)
                        await pass.Sink.EmitAsync(Describe(pass, batch, i, found), token).ConfigureAwait(false);
                }
                progress.Add(items, bytes);
            }
            finally
            {
                pool.Return(batch);
            }
        }
        pass.Counts.AddFrom(tally);
    }

    /// <summary>The result object for one differing key, with both sides' fields.</summary>
    private static MemcacheDifference Describe(Pass pass, CompareBatch batch, int index, DifferenceKind kind)
    {
        var key = batch.Keys.Key(index);
        var display = KeyText.ToDisplayString(key, out var isBinary);
        var enumeratedServer = pass.Enumerated.ServerName(batch.EnumeratedServer[index]);
        var otherServer = batch.OtherServer[index] >= 0 ? pass.Lookup.ServerName(batch.OtherServer[index]) : null;
        var enumerated = batch.Enumerated[index];
        var other = batch.Other[index];
        var (reference, difference) = pass.ExtraPass ? (other, enumerated) : (enumerated, other);
        return new MemcacheDifference
        {
            Key = display,
            KeyBytes = key.ToArray(),
            IsBinaryKey = isBinary,
            Kind = kind,
            ReferenceServer = pass.ExtraPass ? otherServer : enumeratedServer,
            DifferenceServer = pass.ExtraPass ? enumeratedServer : otherServer,
            ReferenceSize = reference.Present && reference.Size >= 0 ? reference.Size : null,
            ReferenceFlags = reference.Present ? reference.Flags : null,
            ReferenceTtl = reference.Present ? reference.Ttl : null,
            DifferenceSize = difference.Present && difference.Size >= 0 ? difference.Size : null,
            DifferenceFlags = difference.Present ? difference.Flags : null,
            DifferenceTtl = difference.Present ? difference.Ttl : null,
        };
    }

    /// <summary>Counts per kind; each worker keeps its own and adds it to the pass's total at the end.</summary>
    private sealed class Counts
    {
        public long Compared;
        public long Missing;
        public long Extra;
        public long ValueMismatch;
        public long FlagsMismatch;
        public long TtlMismatch;

        public void Add(DifferenceKind kind)
        {
            switch (kind)
            {
                case DifferenceKind.Missing:
                    Missing++;
                    break;
                case DifferenceKind.Extra:
                    Extra++;
                    Compared++;
                    break;
                case DifferenceKind.ValueMismatch:
                    ValueMismatch++;
                    break;
                case DifferenceKind.FlagsMismatch:
                    FlagsMismatch++;
                    break;
                case DifferenceKind.TtlMismatch:
                    TtlMismatch++;
                    break;
            }
        }

        public void AddFrom(Counts other)
        {
            Interlocked.Add(ref Compared, other.Compared);
            Interlocked.Add(ref Missing, other.Missing);
            Interlocked.Add(ref Extra, other.Extra);
            Interlocked.Add(ref ValueMismatch, other.ValueMismatch);
            Interlocked.Add(ref FlagsMismatch, other.FlagsMismatch);
            Interlocked.Add(ref TtlMismatch, other.TtlMismatch);
        }
    }
}
