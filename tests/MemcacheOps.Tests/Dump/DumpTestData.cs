using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Dump;

namespace MemcacheOps.Tests.Dump;

/// <summary>One record as owned test data (the reader's view only lives until the next read).</summary>
internal sealed record TestRecord(byte[] Key, int Expiry, uint Flags, byte[] Value)
{
    public static TestRecord Of(string key, int expiry, uint flags, string value) =>
        new(Encoding.UTF8.GetBytes(key), expiry, flags, Encoding.UTF8.GetBytes(value));

    public bool SameAs(TestRecord other) =>
        Key.AsSpan().SequenceEqual(other.Key) && Expiry == other.Expiry && Flags == other.Flags && Value.AsSpan().SequenceEqual(other.Value);
}

/// <summary>A scratch folder under the system temp folder, deleted after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
        : this(System.IO.Path.GetTempPath())
    {
    }

    /// <summary>A scratch folder under <paramref name="parent"/>, for tests that need a particular file system.</summary>
    public TempDirectory(string parent)
    {
        Path = System.IO.Path.Combine(parent, "memcacheops-dump-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover scratch folder must not fail the test.
        }
    }
}

internal static class DumpTestData
{
    /// <summary>Records covering the edges: binary keys, empty value, flags 0 and 2^32-1, expiry -1 and extremes.</summary>
    public static List<TestRecord> EdgeRecords() =>
    [
        TestRecord.Of("a", V0Record.NeverExpires, 0, "hello"),
        new([0x00, 0xFF, 0x20, 0x0A, 0x0D, 0x80], 1_700_000_000, uint.MaxValue, [1, 2, 3]),
        TestRecord.Of("empty-value", 0, 70000, ""),
        new(Encoding.UTF8.GetBytes("ключ/日本"), int.MaxValue, 4464, [0]),
        new([(byte)'k', .. new byte[249]], int.MinValue, 1, [0xFF, 0x00, 0xFF]),
    ];

    /// <summary>Deterministic pseudo-random records with values up to <paramref name="maxValue"/> bytes.</summary>
    public static List<TestRecord> RandomRecords(int count, int maxValue, int seed = 7)
    {
        var random = new Random(seed);
        var records = new List<TestRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var key = new byte[random.Next(1, 251)];
            random.NextBytes(key);
            var value = new byte[random.Next(0, maxValue + 1)];
            random.NextBytes(value);
            records.Add(new TestRecord(key, random.Next(-1, int.MaxValue), (uint)random.NextInt64(0, uint.MaxValue + 1L), value));
        }
        return records;
    }

    public static byte[] Encode(IEnumerable<TestRecord> records)
    {
        using var stream = new MemoryStream();
        foreach (var r in records)
        {
            var bytes = new byte[V0Record.RecordSize(r.Key.Length, r.Value.Length)];
            V0Record.Write(bytes, r.Key, r.Expiry, r.Flags, r.Value);
            stream.Write(bytes);
        }
        return stream.ToArray();
    }

    public static DataFileInfo WriteFile(string directory, string name, IEnumerable<TestRecord> records)
    {
        using var writer = DataFileWriter.Create(directory, name);
        foreach (var r in records)
            writer.Append(r.Key, r.Expiry, r.Flags, r.Value);
        return writer.Complete();
    }

    public static List<TestRecord> ReadAll(DataFileReader reader)
    {
        var records = new List<TestRecord>();
        while (reader.TryReadNext(out var record))
            records.Add(new TestRecord(record.Key.ToArray(), record.Expiry, record.Flags, record.Value.ToArray()));
        return records;
    }

    public static List<TestRecord> ReadAll(string path, DataFileReadOptions? options = null)
    {
        using var reader = new DataFileReader(path, options);
        return ReadAll(reader);
    }

    public static void AssertSame(IReadOnlyList<TestRecord> expected, IReadOnlyList<TestRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
            Assert.True(expected[i].SameAs(actual[i]), $"record {i} differs");
    }

    public static MemcacheException AssertDumpError(string errorId, Action action)
    {
        var ex = Assert.Throws<MemcacheException>(action);
        Assert.Equal(errorId, ex.ErrorId);
        return ex;
    }
}
