using System.Text;
using MemcacheOps.Engine.Cloud;

namespace MemcacheOps.Tests.Cloud;

public sealed class DumpChunkMessageParserTests
{
    private static readonly IReadOnlySet<string> Allowed = new HashSet<string>(StringComparer.Ordinal) { "evcache-dumps", "chunks-2" };

    private const string CachemoverMessage =
        "{\"reqId\": \"native_test_s3_dump-20201216015312\", \"host\": \"100.66.10.7\", "
        + "\"uri\": \"s3://evcache-dumps/dump/native_test_s3_dump/native_test_s3_dump-20201216015312/data_100.66.10.7__3_9F86D081884C7D659A2FEAA0C55AD015\", "
        + "\"keysCount\": 1811, \"dumpFormat\": \"BINARY\"}";

    [Fact]
    public void ReadsCachemoversMessage()
    {
        var result = DumpChunkMessageParser.Parse(CachemoverMessage, Allowed);

        Assert.True(result.IsValid, result.Problem);
        var a = result.Announcement!;
        Assert.Equal("native_test_s3_dump-20201216015312", a.ReqId);
        Assert.Equal("100.66.10.7", a.Host);
        Assert.Equal("evcache-dumps", a.Location.Bucket);
        Assert.Equal("dump/native_test_s3_dump/native_test_s3_dump-20201216015312/data_100.66.10.7__3_9F86D081884C7D659A2FEAA0C55AD015", a.Location.Key);
        Assert.Equal(1811, a.KeysCount);
        Assert.Equal("BINARY", a.DumpFormat);
        Assert.Null(a.Sha256);
        Assert.Null(a.Records);
        Assert.Null(a.Bytes);
        Assert.Null(a.FormatVersion);
        Assert.Null(result.Problem);
        Assert.Null(result.Field);
    }

    [Fact]
    public void WritesCachemoversFieldsFirstAndReadsBackItsOwn()
    {
        var announcement = new DumpChunkAnnouncement
        {
            ReqId = "r-1",
            Host = "10.0.0.9",
            Location = new ObjectLocation("chunks-2", "p/r-1/data_10.0.0.9__0_1"),
            KeysCount = 5,
            Sha256 = new string('c', 64),
            Records = 5,
            Bytes = 987,
            FormatVersion = 1,
        };

        var json = announcement.ToJson();
        var back = DumpChunkMessageParser.Parse(json, Allowed);

        Assert.Equal(
            "{\"reqId\":\"r-1\",\"host\":\"10.0.0.9\",\"uri\":\"s3://chunks-2/p/r-1/data_10.0.0.9__0_1\",\"keysCount\":5,\"dumpFormat\":\"BINARY\","
            + "\"sha256\":\"" + new string('c', 64) + "\",\"records\":5,\"bytes\":987,\"formatVersion\":1}",
            json);
        Assert.Equal(announcement, back.Announcement);
    }

    [Fact]
    public void IgnoresFieldsItDoesNotKnowAndNullOptionalFields()
    {
        var result = DumpChunkMessageParser.Parse(
            "{\"reqId\":\"r\",\"host\":\"h\",\"uri\":\"s3://chunks-2/k\",\"keysCount\":0,\"dumpFormat\":\"BINARY\",\"sha256\":null,\"priority\":[1,{\"a\":2}]}", Allowed);

        Assert.True(result.IsValid, result.Problem);
        Assert.Null(result.Announcement!.Sha256);
    }

    [Fact]
    public void NormalisesTheChecksumToLowerCase()
    {
        var sha = "ABCDEF" + new string('0', 58);
        var result = DumpChunkMessageParser.Parse(Message(("sha256", $"\"{sha}\"")), Allowed);

        Assert.Equal(sha.ToLowerInvariant(), result.Announcement!.Sha256);
    }

    public static TheoryData<string, string?, string> HostileMessages() => new()
    {
        { "", null, "the message body is empty" },
        { "   ", null, "not valid JSON (line 1, byte 4)" },
        { "{", null, "not valid JSON" },
        { "{\"reqId\":\"r\",}", null, "not valid JSON" },
        { "/* hi */ {}", null, "not valid JSON" },
        { "\"just a string\"", null, "is a JSON string, not an object" },
        { "[1,2]", null, "is a JSON array, not an object" },
        { "null", null, "is a JSON null, not an object" },
        { "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}", null, "not valid JSON" },
        { Message(drop: "reqId"), "reqId", "field 'reqId' is missing" },
        { Message(drop: "host"), "host", "field 'host' is missing" },
        { Message(drop: "uri"), "uri", "field 'uri' is missing" },
        { Message(drop: "keysCount"), "keysCount", "field 'keysCount' is missing" },
        { Message(drop: "dumpFormat"), "dumpFormat", "field 'dumpFormat' is missing" },
        { Message(("reqId", "null")), "reqId", "field 'reqId' is missing" },
        { Message(("reqId", "42")), "reqId", "field 'reqId' is a JSON number, not a string" },
        { Message(("reqId", "\"\"")), "reqId", "field 'reqId' is empty" },
        { Message(("reqId", "\"" + new string('r', 300) + "\"")), "reqId", "field 'reqId' is longer than 256 characters" },
        { Message(("host", "\"10.0.0.1\\n[INFO] forged log line\"")), "host", "field 'host' contains control characters" },
        { Message(("host", "\"10.0.0.1 evil\"")), "host", "contains white space" },
        { Message(("keysCount", "\"1811\"")), "keysCount", "field 'keysCount' is a JSON string, not a number" },
        { Message(("keysCount", "1.5")), "keysCount", "is not a whole number from 0 to" },
        { Message(("keysCount", "-1")), "keysCount", "is not a whole number from 0 to" },
        { Message(("keysCount", "1e30")), "keysCount", "is not a whole number from 0 to" },
        { Message(("keysCount", "true")), "keysCount", "is a JSON boolean, not a number" },
        { Message(("formatVersion", "3000000000")), "formatVersion", "is not a whole number from 0 to 2147483647" },
        { Message(("bytes", "{}")), "bytes", "is a JSON object, not a number" },
        { Message(("dumpFormat", "\"TEXT\"")), "dumpFormat", "only 'BINARY' chunks can be imported" },
        { Message(("dumpFormat", "\"binary\"")), "dumpFormat", "only 'BINARY' chunks" },
        { Message(("uri", "\"https://evcache-dumps.s3.amazonaws.com/k\"")), "uri", "it does not start with s3://" },
        { Message(("uri", "\"file:///etc/passwd\"")), "uri", "it does not start with s3://" },
        { Message(("uri", "\"S3://evcache-dumps/k\"")), "uri", "it does not start with s3://" },
        { Message(("uri", "\"s3://evcache-dumps\"")), "uri", "names a bucket but no object key" },
        { Message(("uri", "\"s3://evcache-dumps/\"")), "uri", "the object key is empty" },
        { Message(("uri", "\"s3:///k\"")), "uri", "the bucket name is empty" },
        { Message(("uri", "\"s3://evil..bucket\\\\x/k\"")), "uri", "the bucket name contains characters" },
        { Message(("uri", "\"s3://attacker-bucket/dump/k\"")), "uri", "names bucket 'attacker-bucket', which is not one this consumer reads from (chunks-2, evcache-dumps)" },
        { Message(("uri", "\"s3://evcache-dumps/k\\u0000x\"")), "uri", "field 'uri' contains control characters" },
        { Message(("uri", "\"s3://evcache-dumps/" + new string('k', 1100) + "\"")), "uri", "is longer than" },
        { Message(("sha256", "\"abc\"")), "sha256", "field 'sha256' is not 64 hexadecimal digits" },
        { Message(("sha256", "\"" + new string('g', 64) + "\"")), "sha256", "is not 64 hexadecimal digits" },
        // A second "uri" could smuggle a bucket past a reader that keeps the first value while another keeps the last.
        { CachemoverMessage[..^1] + ", \"uri\": \"s3://attacker-bucket/k\"}", "uri", "field 'uri' appears more than once" },
    };

    [Theory]
    [MemberData(nameof(HostileMessages))]
    public void RefusesHostileMessagesWithAClearReason(string body, string? field, string expected)
    {
        var result = DumpChunkMessageParser.Parse(body, Allowed);

        Assert.False(result.IsValid);
        Assert.Null(result.Announcement);
        Assert.Equal(field, result.Field);
        Assert.Contains(expected, result.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Problem!, char.IsControl);
    }

    [Fact]
    public void RefusesABodyWithABrokenCharacter()
    {
        // Built here rather than in theory data, which would repair the lone surrogate when serialising it.
        var body = Message(("host", "\"a" + '\ud800' + "\""));

        var result = DumpChunkMessageParser.Parse(body, Allowed);

        Assert.Contains("not valid text (a broken character at position 25)", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesABodyLargerThanAQueueCarries()
    {
        var body = "{\"pad\":\"" + new string('x', DumpChunkMessageParser.MaxBodyBytes) + "\"}";

        var result = DumpChunkMessageParser.Parse(body, Allowed);

        Assert.Contains("larger than", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesEverythingWhenNoBucketIsAllowed()
    {
        var result = DumpChunkMessageParser.Parse(CachemoverMessage, new HashSet<string>());

        Assert.Contains("(none is allowed)", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void NeverThrowsWhateverTheBody()
    {
        // Mutations of a valid message plus random text: every one must come back as a result, never an exception.
        var random = new Random(20240611);
        const string alphabet = "{}[]\":,0123456789.-eE tfnrualsBINARYs3:/\\\u0000\u00e9\ud83d\ude00";
        for (var i = 0; i < 3000; i++)
        {
            string body;
            if (i % 2 == 0)
            {
                var chars = CachemoverMessage.ToCharArray();
                for (var edits = random.Next(1, 6); edits > 0; edits--)
                    chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                body = new string(chars);
            }
            else
            {
                var builder = new StringBuilder();
                for (var n = random.Next(0, 80); n > 0; n--)
                    builder.Append(alphabet[random.Next(alphabet.Length)]);
                body = builder.ToString();
            }

            var result = DumpChunkMessageParser.Parse(body, Allowed);

            Assert.True(result.IsValid ^ (result.Problem is not null), body);
        }
    }

    private static string Message(params (string Name, string Json)[] replace) => Message(null, replace);

    private static string Message(string? drop, params (string Name, string Json)[] replace)
    {
        var fields = new List<(string Name, string Json)>
        {
            ("reqId", "\"r-1\""),
            ("host", "\"10.0.0.1\""),
            ("uri", "\"s3://evcache-dumps/dump/r-1/data_10.0.0.1__0_AB\""),
            ("keysCount", "3"),
            ("dumpFormat", "\"BINARY\""),
        };
        foreach (var (name, json) in replace)
        {
            var i = fields.FindIndex(f => f.Name == name);
            if (i >= 0)
                fields[i] = (name, json);
            else
                fields.Add((name, json));
        }
        return "{" + string.Join(",", fields.Where(f => f.Name != drop).Select(f => $"\"{f.Name}\":{f.Json}")) + "}";
    }
}
