using System.Threading.Channels;
using MemcacheOps.Engine.Connections;
using MemcacheOps.Engine.Endpoints;
using MemcacheOps.Engine.Pipelining;
using MemcacheOps.Engine.Protocol;
using MemcacheOps.Engine.Throttling;

namespace MemcacheOps.Engine.Move;

/// <summary>A batch of <c>md &lt;key&gt; q O&lt;i&gt; [b]</c> commands and their outcomes.</summary>
internal sealed class DeleteBatch : IDisposable
{
    private readonly PooledBufferWriter _commands = new(16 * 1024);

    public int Count { get; private set; }

    /// <summary>NF: the destination did not have the key (never copied, expired or evicted there).</summary>
    public int NotFound { get; internal set; }

    public int Failed { get; internal set; }

    public string? FirstFailure { get; internal set; }

    public int Deleted => Count - NotFound - Failed;

    public ReadOnlySpan<byte> Commands => _commands.WrittenSpan;

    public void Add(ReadOnlySpan<byte> key)
    {
        _commands.Write("md "u8);
        var base64 = KeyCodec.WriteKeyToken(_commands, key);
        _commands.Write(" q O"u8);
        _commands.WriteDecimal(Count);
        if (base64)
            _commands.Write(" b"u8);
        _commands.Write("\r\n"u8);
        Count++;
    }

    public void Dispose() => _commands.Dispose();
}

/// <summary>Counts md outcomes: with <c>q</c> a deletion is silent, NF and errors still reply.</summary>
internal sealed class MetaDeleteHandler(Action<DeleteBatch> onBatchComplete) : IMetaBatchHandler<DeleteBatch>
{
    public void Serialize(DeleteBatch batch, PooledBufferWriter writer, out int operations)
    {
        writer.Write(batch.Commands);
        operations = batch.Count;
    }

    public void OnReply(DeleteBatch batch, in MetaReply reply, ReadOnlySpan<byte> frame)
    {
        switch (reply.Kind)
        {
            case MetaReplyKind.Header:
                return;
            case MetaReplyKind.NotFound:
                batch.NotFound++;
                return;
            case MetaReplyKind.Exists:
            case MetaReplyKind.ClientError:
            case MetaReplyKind.ServerError:
            case MetaReplyKind.Error:
                batch.Failed++;
                batch.FirstFailure ??= reply.IsError ? MetaReplyParser.Message(frame, reply) : reply.Kind.ToString();
                return;
            default:
                MetaReplyParser.ThrowProtocol("an unexpected reply to md", frame[..reply.HeaderLength]);
                return;
        }
    }

    public void OnBatchComplete(DeleteBatch batch) => onBatchComplete(batch);
}

/// <summary>Deletes keys on one destination over one pipelined connection; deletions are few, so one connection is enough.</summary>
internal static class DestinationDeleter
{
    public static async Task<(long Deleted, long NotFound, long Failed, string? FirstFailure)> DeleteAsync(ServerEndpoint server, IReadOnlyList<byte[]> keys,
        int batchSize, int window, IThrottle throttle, ConnectionOptions options, CancellationToken cancellationToken)
    {
        long deleted = 0, notFound = 0, failed = 0;
        string? firstFailure = null;
        var (connection, _) = await ServerProbe.ConnectAsync(server, options, cancellationToken).ConfigureAwait(false);
        using (connection)
        {
            var handler = new MetaDeleteHandler(batch =>
            {
                deleted += batch.Deleted;
                notFound += batch.NotFound;
                failed += batch.Failed;
                firstFailure ??= batch.FirstFailure;
                batch.Dispose();
            });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var input = Channel.CreateBounded<DeleteBatch>(window + 1);
            // A broken connection must not leave the producer waiting for queue room.
            var run = new MetaPipeline<DeleteBatch>(connection, handler, window, throttle).RunAsync(input.Reader, stop.Token, _ => MoveService.TryCancel(stop));
            var batch = new DeleteBatch();
            try
            {
                foreach (var key in keys)
                {
                    batch.Add(key);
                    if (batch.Count >= batchSize)
                    {
                        await input.Writer.WriteAsync(batch, stop.Token).ConfigureAwait(false);
                        batch = new DeleteBatch();
                    }
                }
                if (batch.Count > 0)
                {
                    await input.Writer.WriteAsync(batch, stop.Token).ConfigureAwait(false);
                    batch = new DeleteBatch();
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The pipeline failed; awaiting it below reports why.
            }
            finally
            {
                batch.Dispose();
                input.Writer.TryComplete();
            }
            await run.ConfigureAwait(false);
        }
        return (deleted, notFound, failed, firstFailure);
    }
}
