using MemcacheOps.Engine;
using MemcacheOps.Engine.Diagnostics;

namespace MemcacheOps.Cmdlets.Infrastructure;

/// <summary>One thing a worker thread wants written to the pipeline; only the pipeline thread may write.</summary>
internal abstract record PipelineMessage
{
    internal sealed record Result(object Value) : PipelineMessage;

    internal sealed record Failure(MemcacheException Error) : PipelineMessage;

    internal sealed record Warning(string Text) : PipelineMessage;

    internal sealed record Verbose(string Text) : PipelineMessage;

    internal sealed record Progress(ProgressSnapshot Snapshot) : PipelineMessage;
}
