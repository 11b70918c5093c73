using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace MemcacheOps.Engine.Protocol;

/// <summary>
/// Stateless parser of meta protocol reply headers. It is handed whatever bytes have arrived;
/// <c>false</c> means "need more bytes" and nothing is consumed, so any split of the stream works.
/// </summary>
public static class MetaReplyParser
{
    /// <summary>Reply header lines are short (a key is at most 250 bytes); anything longer is a desync.</summary>
    public const int MaxHeaderLength = 4096;

    /// <summary>
    /// Parses the header line at the start of <paramref name="buffer"/>. For a VA reply the caller must
    /// then wait until <see cref="MetaReply.TotalLength"/> bytes are buffered before using the value.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseHeader(ReadOnlySpan<byte> buffer, out MetaReply reply)
    {
        reply = default;
        var limit = Math.Min(buffer.Length, MaxHeaderLength);
        var newline = buffer[..limit].IndexOf((byte)'\n');
        if (newline < 0)
        {
            if (buffer.Length >= MaxHeaderLength)
                ThrowProtocol("a reply line longer than " + MaxHeaderLength + " bytes", buffer[..64]);
            return false;
        }
        reply.HeaderLength = newline + 1;
        var lineEnd = newline > 0 && buffer[newline - 1] == (byte)'\r' ? newline - 1 : newline;
        var line = buffer[..lineEnd];
        if (line.Length < 2)
            ThrowProtocol("an unrecognised reply", line);

        var code = (line[0] << 8) | line[1];
        var position = 2;
        switch (code)
        {
            case ('V' << 8) | 'A':
                reply.Kind = MetaReplyKind.Value;
                position = ParseValueLength(line, ref reply);
                break;
            case ('H' << 8) | 'D':
                reply.Kind = MetaReplyKind.Header;
                break;
            case ('E' << 8) | 'N':
                reply.Kind = MetaReplyKind.Miss;
                break;
            case ('N' << 8) | 'S':
                reply.Kind = MetaReplyKind.NotStored;
                break;
            case ('E' << 8) | 'X':
                reply.Kind = MetaReplyKind.Exists;
                break;
            case ('N' << 8) | 'F':
                reply.Kind = MetaReplyKind.NotFound;
                break;
            case ('M' << 8) | 'N':
                reply.Kind = MetaReplyKind.NoOp;
                break;
            default:
                return ParseErrorLine(line, ref reply);
        }
        if (line.Length > position && line[position] != (byte)' ')
            return ParseErrorLine(line, ref reply);
        ParseFlags(line, position, ref reply);
        return true;
    }

    private static int ParseValueLength(ReadOnlySpan<byte> line, ref MetaReply reply)
    {
        // "VA <len> <flags>*"
        if (line.Length < 4 || line[2] != (byte)' ')
            ThrowProtocol("a VA reply without a length", line);
        var rest = line[3..];
        if (!Utf8Parser.TryParse(rest, out int length, out var consumed) || length < 0)
            ThrowProtocol("a VA reply with a bad length", line);
        reply.ValueLength = length;
        return 3 + consumed;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ParseFlags(ReadOnlySpan<byte> line, int position, ref MetaReply reply)
    {
        while (position < line.Length)
        {
            if (line[position] == (byte)' ')
            {
                position++;
                continue;
            }
            var tokenEnd = line[position..].IndexOf((byte)' ');
            var token = tokenEnd < 0 ? line[position..] : line.Slice(position, tokenEnd);
            var arg = token[1..];
            switch (token[0])
            {
                case (byte)'f':
                    reply.HasClientFlags = Utf8Parser.TryParse(arg, out reply.ClientFlags, out _);
                    break;
                case (byte)'t':
                    reply.HasTtl = Utf8Parser.TryParse(arg, out reply.Ttl, out _);
                    break;
                case (byte)'s':
                    reply.HasSize = Utf8Parser.TryParse(arg, out reply.Size, out _);
                    break;
                case (byte)'c':
                    reply.HasCas = Utf8Parser.TryParse(arg, out reply.Cas, out _);
                    break;
                case (byte)'O':
                    reply.HasOpaque = Utf8Parser.TryParse(arg, out reply.Opaque, out var n) && n == arg.Length;
                    break;
                case (byte)'k':
                    reply.KeyOffset = position + 1;
                    reply.KeyLength = arg.Length;
                    break;
                case (byte)'b':
                    reply.KeyIsBase64 = true;
                    break;
            }
            position += token.Length;
        }
    }

    private static bool ParseErrorLine(ReadOnlySpan<byte> line, ref MetaReply reply)
    {
        if (line.StartsWith("CLIENT_ERROR"u8))
        {
            reply.Kind = MetaReplyKind.ClientError;
            SetMessage(line, 12, ref reply);
        }
        else if (line.StartsWith("SERVER_ERROR"u8))
        {
            reply.Kind = MetaReplyKind.ServerError;
            SetMessage(line, 12, ref reply);
        }
        else if (line.StartsWith("ERROR"u8))
        {
            reply.Kind = MetaReplyKind.Error;
            SetMessage(line, 5, ref reply);
        }
        else
        {
            ThrowProtocol("an unrecognised reply", line);
        }
        return true;
    }

    private static void SetMessage(ReadOnlySpan<byte> line, int codeLength, ref MetaReply reply)
    {
        var start = Math.Min(line.Length, codeLength + 1);
        reply.MessageOffset = start;
        reply.MessageLength = line.Length - start;
    }

    /// <summary>The error message of an error reply, for reporting (allocates; not for hot paths).</summary>
    public static string Message(ReadOnlySpan<byte> buffer, in MetaReply reply)
        => Encoding.ASCII.GetString(buffer.Slice(reply.MessageOffset, reply.MessageLength));

    [DoesNotReturn]
    internal static void ThrowProtocol(string what, ReadOnlySpan<byte> sample)
    {
        var shown = Encoding.ASCII.GetString(sample[..Math.Min(sample.Length, 80)]).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        throw new MemcacheException(MemcacheErrorKind.ProtocolError, "MemcacheProtocolError",
            $"Unexpected reply from the server: {what} ('{shown}'). The connection is out of step and was closed.");
    }
}
