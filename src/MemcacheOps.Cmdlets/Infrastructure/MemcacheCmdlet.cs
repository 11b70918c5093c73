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
    private readonly List<IDisposable> _owned = [];

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

    /// <summary>
    /// <para type="description">Use TLS (1.2 or later) for every server. A single server written as tls://host:port uses TLS without this switch, so one command can mix TLS and plain servers (for example the two sides of a move).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Tls { get; set; }

    /// <summary>
    /// <para type="description">The name to check the servers' TLS certificates against and to send as SNI. Default: the host part of each server. Use it when connecting by IP address or through a tunnel.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TlsServerName { get; set; }

    /// <summary>
    /// <para type="description">A PEM file of CA certificates to trust for the servers' TLS certificates, instead of the system's certificate store (for self-run memcached with its own CA).</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TlsCaFile { get; set; }

    /// <summary>
    /// <para type="description">A client certificate for mutual TLS (memcached -o ssl_ca_cert with ssl_verify_mode): a PEM certificate (its key in -TlsClientKeyFile or in the same file) or a PFX/PKCS#12 file without a password.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TlsClientCertificateFile { get; set; }

    /// <summary>
    /// <para type="description">The PEM private key of -TlsClientCertificateFile, when it is in a file of its own.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TlsClientKeyFile { get; set; }

    /// <summary>
    /// <para type="description">Accept any TLS certificate the servers present, without checking who issued it, its name or its dates. The connection is encrypted but the server is not authenticated: for test servers only. A warning says so.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>
    /// <para type="description">User and password for memcached's text-protocol authentication (memcached -Y with a user:password file). The password is sent to the servers only, never written to output or logs. Servers that do not ask for authentication are not sent it.</para>
    /// </summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>Cancelled by Ctrl+C or when the pipeline stops early.</summary>
    protected CancellationToken Cancellation => (_cancellation ??= new CancellationTokenSource()).Token;

    /// <summary>Connection options from the common parameters: timeouts, TLS and authentication.</summary>
    protected ConnectionOptions ConnectionOptions => ConnectionOptions.Default with
    {
        ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeout),
        ReadTimeout = TimeSpan.FromSeconds(Timeout),
        Tls = Tls.IsPresent,
        TlsServerName = TlsServerName,
        TlsCaFile = ResolvePath(TlsCaFile),
        TlsClientCertificateFile = ResolvePath(TlsClientCertificateFile),
        TlsClientKeyFile = ResolvePath(TlsClientKeyFile),
        SkipCertificateCheck = SkipCertificateCheck.IsPresent,
        Credential = Credential is { } credential ? ToMemcacheCredential(credential) : null,
    };

    /// <summary>A file parameter as a full path, resolved against PowerShell's current location (not the process's).</summary>
    private string? ResolvePath(string? path) => path is null ? null : GetUnresolvedProviderPathFromPSPath(path);

    private MemcacheCredential ToMemcacheCredential(PSCredential credential)
        => Validate(() => new MemcacheCredential(credential.UserName, credential.GetNetworkCredential().Password));

    protected override void BeginProcessing()
    {
        _cancellation ??= new CancellationTokenSource();
        _activityId = Math.Abs(GetType().Name.GetHashCode(StringComparison.Ordinal) % 10000) + 1;
        if (SkipCertificateCheck.IsPresent)
            WriteWarning("-SkipCertificateCheck: the servers' TLS certificates are not checked. The connections are encrypted, but anyone between here and the servers can pose as them; use it with test servers only, and -TlsCaFile to trust a private CA instead.");
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

    /// <summary>Disposes <paramref name="resource"/> with the cmdlet, also when the pipeline is stopped.</summary>
    protected T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
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
        foreach (var resource in _owned)
            resource.Dispose();
        _owned.Clear();
        GC.SuppressFinalize(this);
    }
}
