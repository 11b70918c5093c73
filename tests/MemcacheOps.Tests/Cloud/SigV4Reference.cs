using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MemcacheOps.Tests.Cloud;

/// <summary>
/// A plain Signature Version 4 implementation written from AWS's specification, kept in the tests as an
/// oracle: the published test-suite vectors prove it step by step (canonical request, string to sign,
/// signature), and it then checks that the signer the SQS client uses (AWSSDK.Core's) produces the same
/// signature for the same request.
/// </summary>
internal static class SigV4Reference
{
    public sealed record Request(
        string Method,
        string Host,
        string Path,
        IReadOnlyList<(string Name, string Value)> Query,
        IReadOnlyList<(string Name, string Value)> Headers,
        byte[] Body);

    public sealed record Result(string CanonicalRequest, string StringToSign, string Signature, string Authorization, string SignedHeaders);

    public static Result Sign(Request request, string accessKey, string secretKey, string region, string service, DateTime signedAtUtc)
    {
        var amzDate = signedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];

        // Headers: lower-case names; values trimmed with inner runs of spaces collapsed; repeats joined by ','
        // in the order given; sorted by name.
        var headers = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Headers)
        {
            var key = name.ToLowerInvariant();
            if (!headers.TryGetValue(key, out var values))
                headers[key] = values = [];
            values.Add(CollapseSpaces(value.Trim()));
        }
        var canonicalHeaders = new StringBuilder();
        foreach (var (name, values) in headers)
            canonicalHeaders.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        var signedHeaders = string.Join(';', headers.Keys);

        var canonicalUri = string.Join('/', request.Path.Split('/').Select(Encode));
        var canonicalQuery = string.Join('&', request.Query
            .Select(p => (Name: Encode(p.Name), Value: Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

        var canonicalRequest = $"{request.Method}\n{canonicalUri}\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaders}\n{Hex(SHA256.HashData(request.Body))}";
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

        var key0 = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        var signingKey = Hmac(Hmac(Hmac(key0, region), service), "aws4_request");
        var signature = Hex(Hmac(signingKey, stringToSign));
        var authorization = $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        return new Result(canonicalRequest, stringToSign, signature, authorization, signedHeaders);
    }

    public static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>RFC 3986 percent-encoding of UTF-8 bytes: everything but A-Z a-z 0-9 - _ . ~ (upper-case hex).</summary>
    private static string Encode(string text)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c == ' ' && builder.Length > 0 && builder[^1] == ' ')
                continue;
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
