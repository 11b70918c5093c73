using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>
/// The pattern every MemcacheOps cmdlet follows: the engine runs on worker threads and reports into
/// one bounded queue; the pipeline thread drains it and does every Write* call; Write-Progress is
/// limited to about four updates a second; StopProcessing (Ctrl+C) and a downstream stop
/// (Select-Object -First) cancel the engine; engine failures become ErrorRecords with stable ids.
/// </summary>
public abstract class MemcacheCmdlet : PSCmdlet, IDisposable
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private CancellationTokenSource? _cancellation;
    private int _activityId;

    /// <summary>
    /// <para type="description">Seconds to wait for a TCP connection to each server before reporting it unreachable (default 5).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0.1, 3600)]
    public double ConnectTimeout { get; set; } = ConnectionOptions.Default.ConnectTimeout.TotalSeconds;

    /// <summary>
    /// <para type="description">Seconds a server may stay silent, or take to send each 64 KiB of a reply, before its connection is declared failed (default 10). An operation on a server that hangs, dies or trickles its replies ends with an error naming it within about this time; see docs/faults.md.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0.1, 86400)]
    public double Timeout { get; set; } = ConnectionOptions.Default.ReadTimeout.TotalSeconds;

    /// <summary>Cancelled by Ctrl+C or when the pipeline stops early.</summary>
    protected CancellationToken Cancellation => (_cancellation ??= new CancellationTokenSource()).Token;

    /// <summary>Connection options from the common timeout parameters.</summary>
    protected ConnectionOptions ConnectionOptions => ConnectionOptions.Default with
    {
        ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeout),
        ReadTimeout = TimeSpan.FromSeconds(Timeout),
    };

    protected override void BeginProcessing()
    {
        _cancellation ??= new CancellationTokenSource();
        _activityId = Math.Abs(GetType().Name.GetHashCode(StringComparison.Ordinal) % 10000) + 1;
    }

    protected override void StopProcessing() => _cancellation?.Cancel();

    protected override void EndProcessing()
    {
        _cancellation?.Dispose();
        _cancellation = null;
    }

    /// <summary>
    /// Runs an engine operation on a worker thread and relays everything it reports to the pipeline on
    /// this (the pipeline) thread. Returns when the operation has finished. A failure of the whole
    /// operation becomes a terminating error.
    /// </summary>
    protected void RunOperation(Func<IOperationSink, CancellationToken, Task> operation)
    {
        var token = Cancellation;
        var sink = new PipelineSink(token);
        var worker = Task.Run(async () =>
        {
            try
            {
                await operation(sink, token).ConfigureAwait(false);
                sink.Complete(null);
            }
            catch (Exception ex)
            {
                // Every worker is wrapped: an unhandled exception on a worker thread would end the process.
                sink.Complete(ex);
            }
        }, CancellationToken.None);

        var completedNormally = false;
        try
        {
            Drain(sink);
            completedNormally = true;
        }
        finally
        {
            if (!completedNormally)
            {
                // A downstream stop (PipelineStoppedException) or an error while writing: stop the engine
                // promptly so its connections close and the servers are left alone.
                _cancellation?.Cancel();
                worker.Wait(TimeSpan.FromSeconds(10));
            }
        }
    }

    private void Drain(PipelineSink sink)
    {
        var lastProgress = Stopwatch.StartNew();
        ProgressSnapshot? pending = null;
        var reader = sink.Reader;
        try
        {
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var message))
                {
                    switch (message)
                    {
                        case PipelineMessage.Result r:
                            WriteObject(r.Value);
                            break;
                        case PipelineMessage.Failure f:
                            WriteError(ErrorRecords.From(f.Error));
                            break;
                        case PipelineMessage.Warning w:
                            WriteWarning(w.Text);
                            break;
                        case PipelineMessage.Verbose v:
                            WriteVerbose(v.Text);
                            break;
                        case PipelineMessage.Progress p:
                            pending = p.Snapshot;
                            break;
                    }
                }
                if (pending is not null && (lastProgress.Elapsed >= ProgressInterval || pending.Completed))
                {
                    WriteProgress(ToProgressRecord(pending));
                    pending = null;
                    lastProgress.Restart();
                }
            }
        }
        catch (OperationCanceledException) when (_cancellation?.IsCancellationRequested == true)
        {
            // Stopped by the user: PowerShell reports the stop itself.
            return;
        }
        catch (MemcacheException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }
        catch (AggregateException ex) when (ex.InnerException is MemcacheException inner)
        {
            ThrowTerminatingError(ErrorRecords.From(inner));
        }
        finally
        {
            CompleteProgress();
        }
    }

    private void CompleteProgress()
    {
        try
        {
            WriteProgress(new ProgressRecord(_activityId, GetType().Name, "Done") { RecordType = ProgressRecordType.Completed });
        }
        catch (PipelineStoppedException)
        {
        }
    }

    private ProgressRecord ToProgressRecord(ProgressSnapshot s)
    {
        var c = CultureInfo.InvariantCulture;
        var total = s.TotalItems is { } t ? string.Create(c, $" of {t:N0}") : string.Empty;
        var status = string.Create(c, $"{s.Phase}: {s.Items:N0}{total} items, {Units.Bytes(s.Bytes)}, {s.ItemsPerSecond:N0} items/s, {Units.Bytes(s.BytesPerSecond)}/s");
        var record = new ProgressRecord(_activityId, s.Activity, status)
        {
            PercentComplete = s.PercentComplete ?? -1,
            SecondsRemaining = s.Remaining is { } r ? (int)Math.Min(int.MaxValue, r.TotalSeconds) : -1,
        };
        if (s.Completed)
            record.RecordType = ProgressRecordType.Completed;
        return record;
    }

    /// <summary>Turns user input errors found before the engine starts into terminating errors.</summary>
    protected T Validate<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (MemcacheException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    public void Dispose()
    {
        _cancellation?.Dispose();
        _cancellation = null;
        GC.SuppressFinalize(this);
    }
}
