using System.Buffers.Text;
using MemcacheOps.Engine.Protocol;

namespace MemcacheOps.Engine.Verification.Latency;

/// <summary>What the bytes at the head of a connection's buffer say about the oldest request in flight.</summary>
internal enum ReplyStatus : byte
{
    /// <summary>The reply is not complete yet.</summary>
    NeedMore,
    /// <summary>A success: hit, miss or stored.</summary>
    Done,
    /// <summary>An error reply (CLIENT_ERROR, SERVER_ERROR, ERROR, NOT_STORED) that leaves the connection usable.</summary>
    Error,
    /// <summary>An error after which the server may read the rest of the request as a new command: reopen the connection.</summary>
    ErrorBreak,
}

/// <summary>A parsed reply: how long it is in the buffer, its outcome and where its value is.</summary>
internal struct ParsedReply
{
    public ReplyStatus Status;
    public LoadOutcome Outcome;
    public LoadErrorClass ErrorClass;
    public int Length;
    public int ValueOffset;
    public int ValueLength;
    /// <summary>With <see cref="ReplyStatus.NeedMore"/>: the bytes the whole reply needs, when known (a large value).</summary>
    public int Needed;
}

/// <summary>
/// Parses the reply of each request kind a latency run sends, from the connection's buffer without copying or
/// allocating. Anything that is not a reply to the request at the head of the queue is a protocol error: the
/// connection is out of step and is reopened.
/// </summary>
internal static class LoadReplies
{
    private const int MaxLine = 4096;

    public static ParsedReply Parse(LoadOperation operation, ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> key)
    {
        return operation switch
        {
            LoadOperation.Get => ParseGet(buffer, key),
            LoadOperation.Mg or LoadOperation.Ms => ParseMeta(operation, buffer),
            LoadOperation.Set => ParseLine(buffer, "STORED"u8, LoadOutcome.Stored, "NOT_STORED"u8, isStore: true),
            LoadOperation.Delete => ParseLine(buffer, "DELETED"u8, LoadOutcome.Hit, "NOT_FOUND"u8, isStore: false),
            LoadOperation.Touch => ParseLine(buffer, "TOUCHED"u8, LoadOutcome.Hit, "NOT_FOUND"u8, isStore: false),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };
    }

    private static bool TryLine(ReadOnlySpan<byte> buffer, out ReadOnlySpan<byte> line, out int length)
    {
        var limit = Math.Min(buffer.Length, MaxLine);
        var newline = buffer[..limit].IndexOf((byte)'\n');
        if (newline < 0)
        {
            if (buffer.Length >= MaxLine)
                MetaReplyParser.ThrowProtocol("a reply line longer than " + MaxLine + " bytes", buffer[..64]);
            line = default;
            length = 0;
            return false;
        }
        length = newline + 1;
        line = buffer[..(newline > 0 && buffer[newline - 1] == (byte)'\r' ? newline - 1 : newline)];
        return true;
    }

    private static ParsedReply ParseGet(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> key)
    {
        if (!TryLine(buffer, out var line, out var lineLength))
            return default;
        if (line.SequenceEqual("END"u8))
            return new ParsedReply { Status = ReplyStatus.Done, Outcome = LoadOutcome.Miss, Length = lineLength };
        if (!line.StartsWith("VALUE "u8))
            return ErrorOrThrow(line, lineLength, isStore: false);
        // VALUE <key> <flags> <bytes>[ <cas>]
        var rest = line[6..];
        var space = rest.IndexOf((byte)' ');
        if (space < 0 || !rest[..space].SequenceEqual(key))
            MetaReplyParser.ThrowProtocol("a VALUE for another key than the one requested", line);
        rest = rest[(space + 1)..];
        space = rest.IndexOf((byte)' ');
        if (space < 0)
            MetaReplyParser.ThrowProtocol("a VALUE line without a length", line);
        rest = rest[(space + 1)..];
        if (!Utf8Parser.TryParse(rest, out int valueLength, out var consumed) || valueLength < 0 || (consumed < rest.Length && rest[consumed] != (byte)' '))
            MetaReplyParser.ThrowProtocol("a VALUE line with a bad length", line);
        var total = lineLength + valueLength + 2 + 5;
        if (buffer.Length < total)
            return new ParsedReply { Status = ReplyStatus.NeedMore, Needed = total };
        if (buffer[lineLength + valueLength] != (byte)'\r' || buffer[lineLength + valueLength + 1] != (byte)'\n' || !buffer.Slice(lineLength + valueLength + 2, 5).SequenceEqual("END\r\n"u8))
            MetaReplyParser.ThrowProtocol("a value not followed by \\r\\nEND", buffer[..Math.Min(total, 80)]);
        return new ParsedReply { Status = ReplyStatus.Done, Outcome = LoadOutcome.Hit, Length = total, ValueOffset = lineLength, ValueLength = valueLength };
    }

    private static ParsedReply ParseMeta(LoadOperation operation, ReadOnlySpan<byte> buffer)
    {
        if (!MetaReplyParser.TryParseHeader(buffer, out var reply))
            return default;
        switch (reply.Kind)
        {
            case MetaReplyKind.Value when operation == LoadOperation.Mg:
                var total = reply.TotalLength;
                if (buffer.Length < total)
                    return new ParsedReply { Status = ReplyStatus.NeedMore, Needed = total };
                if (buffer[total - 2] != (byte)'\r' || buffer[total - 1] != (byte)'\n')
                    MetaReplyParser.ThrowProtocol("a value block not followed by \\r\\n", buffer[..Math.Min(total, 80)]);
                return new ParsedReply { Status = ReplyStatus.Done, Outcome = LoadOutcome.Hit, Length = total, ValueOffset = reply.HeaderLength, ValueLength = reply.ValueLength };
            case MetaReplyKind.Miss when operation == LoadOperation.Mg:
                return new ParsedReply { Status = ReplyStatus.Done, Outcome = LoadOutcome.Miss, Length = reply.HeaderLength };
            case MetaReplyKind.Header when operation == LoadOperation.Ms:
                return new ParsedReply { Status = ReplyStatus.Done, Outcome = LoadOutcome.Stored, Length = reply.HeaderLength };
            case MetaReplyKind.NotStored when operation == LoadOperation.Ms:
                return new ParsedReply { Status = ReplyStatus.Error, ErrorClass = LoadErrorClass.NotStored, Length = reply.HeaderLength };
            case MetaReplyKind.ClientError or MetaReplyKind.Error:
                // An ms whose flags were refused may leave its data block to be read as a command.
                return new ParsedReply { Status = operation == LoadOperation.Ms ? ReplyStatus.ErrorBreak : ReplyStatus.Error, ErrorClass = LoadErrorClass.ClientError, Length = reply.HeaderLength };
            case MetaReplyKind.ServerError:
                return new ParsedReply { Status = ReplyStatus.Error, ErrorClass = LoadErrorClass.ServerError, Length = reply.HeaderLength };
            default:
                MetaReplyParser.ThrowProtocol($"a reply that does not answer {LoadOperations.Name(operation)}", buffer[..reply.HeaderLength]);
                return default;
        }
    }

    private static ParsedReply ParseLine(ReadOnlySpan<byte> buffer, ReadOnlySpan<byte> success, LoadOutcome outcome, ReadOnlySpan<byte> other, bool isStore)
    {
        if (!TryLine(buffer, out var line, out var length))
            return default;
        if (line.SequenceEqual(success))
            return new ParsedReply { Status = ReplyStatus.Done, Outcome = outcome, Length = length };
        if (line.SequenceEqual(other))
        {
            return isStore
                ? new ParsedReply { Status = ReplyStatus.Error, ErrorClass = LoadErrorClass.NotStored, Length = length }
                : new ParsedReply { Status = ReplyStatus.Done, Outcome = LoadOutcome.Miss, Length = length };
        }
        return ErrorOrThrow(line, length, isStore);
    }

    private static ParsedReply ErrorOrThrow(ReadOnlySpan<byte> line, int length, bool isStore)
    {
        if (line.StartsWith("SERVER_ERROR"u8))
            return new ParsedReply { Status = ReplyStatus.Error, ErrorClass = LoadErrorClass.ServerError, Length = length };
        if (line.StartsWith("CLIENT_ERROR"u8) || line.SequenceEqual("ERROR"u8) || line.StartsWith("ERROR "u8))
        {
            // memcached may read the data block of a refused text store as the next command.
            return new ParsedReply { Status = isStore ? ReplyStatus.ErrorBreak : ReplyStatus.Error, ErrorClass = LoadErrorClass.ClientError, Length = length };
        }
        MetaReplyParser.ThrowProtocol("a reply that does not answer the request", line);
        return default;
    }
}
