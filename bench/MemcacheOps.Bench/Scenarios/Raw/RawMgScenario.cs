using MemcacheOps.Bench.Harness;

namespace MemcacheOps.Bench.Scenarios.Raw;

/// <summary>
/// Raw protocol limit for fetching known keys with meta commands (the engine's fetch path), over plain
/// sockets or, as raw-tls-mg, over TLS (.NET's SslStream on the source's TLS listener; no engine code).
/// </summary>
internal sealed class RawMgScenario(bool tls = false) : IScenario
{
    public string Name => tls ? "raw-tls-mg" : "raw-mg";

    public string Description => tls
        ? "pipelined 'mg <key> v f t q' in batches closed by 'mn' over TLS (SslStream, TLS 1.2+; --batch, --window, --connections); items = values, bytes = value bytes"
        : "pipelined 'mg <key> v f t q' in batches closed by 'mn' over plain sockets (--batch, --window, --connections); items = values, bytes = value bytes";

    public IReadOnlyList<string> ComparesWith => tls ? ["raw-mg"] : ["raw-get"];

    public bool UsesTls => tls;

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var meter = ResourceMeter.StartInProcess();
        var totals = await RawFetchPipeline.RunAsync(tls ? context.RequireTlsSource() : context.Source, FetchCommand.MetaGet, context.Start, context.Count,
            context.Connections, context.BatchSize, context.Window, cancellationToken, tlsCaFile: tls ? context.Certificates!.CaFile : null);
        return meter.Finish(totals.Items, totals.Bytes, RawNotes.Describe(context, totals.Items));
    }
}
