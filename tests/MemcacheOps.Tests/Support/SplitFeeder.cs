namespace MemcacheOps.Tests.Support;

/// <summary>Ways to cut a byte stream into the pieces a socket might deliver.</summary>
public static class SplitFeeder
{
    /// <summary>Every cut of the stream into two pieces, plus the whole stream and byte-by-byte.</summary>
    public static IEnumerable<byte[][]> AllSplits(byte[] stream)
    {
        yield return [stream];
        for (var cut = 1; cut < stream.Length; cut++)
            yield return [stream[..cut], stream[cut..]];
        yield return stream.Select(b => new[] { b }).ToArray();
    }
}
