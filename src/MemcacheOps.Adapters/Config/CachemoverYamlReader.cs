using System.Text;
using MemcacheOps.Engine;
using MemcacheOps.Engine.Config;
using MemcacheOps.Engine.Endpoints;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MemcacheOps.Adapters.Config;

/// <summary>
/// Reads cachemover's YAML configuration into <see cref="CachemoverConfig"/>. The file is loaded into
/// YamlDotNet's representation model (not deserialised into a class) so every error can name the line and
/// column of the offending key or value.
/// </summary>
/// <remarks>
/// Strict on what is there, silent on what is not: an unknown key, a repeated key or a bad value is an
/// error, because a typo would otherwise silently fall back to a default; a missing key is not, because
/// which keys are needed depends on the operation (MemcacheOps does not use <c>log_file_path</c>, for
/// example). Callers check presence with <see cref="CachemoverConfig.Validate"/> after applying their
/// parameter overrides.
/// </remarks>
public sealed class CachemoverYamlReader : IConfigFileReader
{
    /// <summary>A configuration is a screenful of keys; anything this large is the wrong file.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    public CachemoverConfig Read(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "ConfigFileNotFound",
                "No configuration file path was given. Give the path of a cachemover YAML configuration file.");
        var fullPath = Path.GetFullPath(path);
        return Parse(ReadText(fullPath), fullPath);
    }

    /// <summary>Parses configuration text; <paramref name="sourcePath"/> is only used in messages and the result.</summary>
    public static CachemoverConfig Parse(string text, string sourcePath)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            var message = StripMarks(ex.Message).TrimEnd('.');
            // YamlDotNet refuses a mapping with a repeated key while loading; say it in the file's terms.
            const string Duplicate = "Duplicate key ";
            throw message.StartsWith(Duplicate, StringComparison.Ordinal)
                ? Error(sourcePath, ex.Start, $"key '{Show(message[Duplicate.Length..])}' appears more than once; keep one", ex)
                : Error(sourcePath, ex.Start, $"the file is not valid YAML: {message}", ex);
        }

        if (stream.Documents.Count == 0)
            throw Error(sourcePath, null, "the file is empty; it must map cachemover keys to values, such as 'port: 11211'");
        if (stream.Documents.Count > 1)
            throw Error(sourcePath, stream.Documents[1].RootNode.Start, "the file holds more than one YAML document; keep only one");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var rootNode = stream.Documents[0].RootNode;
            throw IsNull(rootNode)
                ? Error(sourcePath, null, "the file is empty; it must map cachemover keys to values, such as 'port: 11211'")
                : Error(sourcePath, rootNode.Start, $"the top level must map keys to values (such as 'port: 11211'), but it is {Describe(rootNode)}");
        }

        // Repeated keys never get here: loading the mapping refuses them (handled above).
        var builder = new Builder(sourcePath);
        foreach (var (keyNode, valueNode) in root.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
                throw Error(sourcePath, keyNode.Start, $"a key must be a plain name, but this one is {Describe(keyNode)}");
            if (!CachemoverKeys.TryGet(name, out var info))
            {
                var suggestion = CachemoverKeys.Closest(name);
                throw Error(sourcePath, keyNode.Start,
                    $"unknown key '{Show(name)}'{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}; "
                    + $"the keys are: {string.Join(", ", CachemoverKeys.All.Select(k => k.Name))}");
            }
            builder.Set(info, valueNode);
        }
        return builder.Config;
    }

    private static string ReadText(string fullPath)
    {
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                var problem = Directory.Exists(fullPath) ? "is a folder, not a file" : "does not exist";
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "ConfigFileNotFound",
                    $"The configuration file '{fullPath}' {problem}. Check the path.", fullPath);
            }
            if (info.Length > MaxFileBytes)
                throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "ConfigInvalid",
                    $"The configuration file '{fullPath}' has {info.Length} bytes, more than a configuration can need ({MaxFileBytes}). Check that it is the right file.",
                    fullPath);
            // Strict UTF-8: a file in another encoding is reported, not half-read.
            return File.ReadAllText(fullPath, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException ex)
        {
            throw new MemcacheException(MemcacheErrorKind.InvalidArgument, "ConfigInvalid",
                $"The configuration file '{fullPath}' is not UTF-8 text. Save it as UTF-8.", fullPath, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemcacheException(MemcacheErrorKind.ResourceUnavailable, "ConfigFileUnreadable",
                $"The configuration file '{fullPath}' cannot be read: {ex.Message} Check its permissions.", fullPath, ex);
        }
    }

    /// <summary>Turns each YAML value into a typed setting, or an error pointing at the value.</summary>
    private sealed class Builder(string sourcePath)
    {
        public CachemoverConfig Config { get; private set; } = new() { SourcePath = sourcePath };

        public void Set(CachemoverKeyInfo info, YamlNode node)
        {
            Config = info.Kind switch
            {
                CachemoverValueKind.EndpointList => SetList(info, ReadEndpoints(info, node)),
                CachemoverValueKind.Boolean => SetBoolean(info, ReadBoolean(info, node)),
                CachemoverValueKind.Port or CachemoverValueKind.Count or CachemoverValueKind.ByteSize or CachemoverValueKind.Seconds
                    => SetNumber(info, ReadNumber(info, node)),
                _ => SetText(info, ReadText(info, node)),
            };
        }

        private CachemoverConfig SetNumber(CachemoverKeyInfo info, long value) => info.Key switch
        {
            CachemoverKey.Port => Config with { Port = (int)value },
            CachemoverKey.Threads => Config with { Threads = (int)value },
            CachemoverKey.BufSize => Config with { BufSize = value },
            CachemoverKey.MemLimit => Config with { MemLimit = value },
            CachemoverKey.KeyFileSize => Config with { KeyFileSize = value },
            CachemoverKey.DataFileSize => Config with { DataFileSize = value },
            CachemoverKey.BulkGetThreshold => Config with { BulkGetThreshold = (int)value },
            CachemoverKey.OnlyExpireAfterSeconds => Config with { OnlyExpireAfterSeconds = value },
            CachemoverKey.KetamaBucketSize => Config with { KetamaBucketSize = (int)value },
            _ => throw new InvalidOperationException($"'{info.Name}' is not a number key."),
        };

        private CachemoverConfig SetBoolean(CachemoverKeyInfo info, bool value) => info.Key switch
        {
            CachemoverKey.CheckpointResume => Config with { CheckpointResume = value },
            CachemoverKey.IsS3Dump => Config with { IsS3Dump = value },
            _ => throw new InvalidOperationException($"'{info.Name}' is not a boolean key."),
        };

        private CachemoverConfig SetText(CachemoverKeyInfo info, string value) => info.Key switch
        {
            CachemoverKey.Ip => Config with { Ip = value },
            CachemoverKey.LogFilePath => Config with { LogFilePath = value },
            CachemoverKey.OutputDir => Config with { OutputDir = value },
            CachemoverKey.ReqId => Config with { ReqId = value },
            CachemoverKey.S3Bucket => Config with { S3Bucket = value },
            CachemoverKey.S3FinalPath => Config with { S3FinalPath = value },
            CachemoverKey.SqsQueue => Config with { SqsQueue = value },
            _ => throw new InvalidOperationException($"'{info.Name}' is not a text key."),
        };

        private CachemoverConfig SetList(CachemoverKeyInfo info, IReadOnlyList<ServerEndpoint> value) => info.Key switch
        {
            CachemoverKey.AllIps => Config with { AllIps = value },
            CachemoverKey.DestIps => Config with { DestIps = value },
            _ => throw new InvalidOperationException($"'{info.Name}' is not a list key."),
        };

        private string Scalar(CachemoverKeyInfo info, YamlNode node)
        {
            if (node is not YamlScalarNode scalar)
                throw Error(sourcePath, node.Start, $"key '{info.Name}' expects {info.Expected}, but has {Describe(node)}");
            if (IsNull(scalar))
                throw Error(sourcePath, node.Start, $"key '{info.Name}' has no value; give {info.Expected} or remove the line");
            return scalar.Value ?? string.Empty;
        }

        private long ReadNumber(CachemoverKeyInfo info, YamlNode node)
        {
            var text = Scalar(info, node);
            return CachemoverValueRules.TryParseNumber(info, text, out var value)
                ? value
                : throw Error(sourcePath, node.Start, $"key '{info.Name}' expects {info.Expected}, but has '{Show(text)}'");
        }

        private bool ReadBoolean(CachemoverKeyInfo info, YamlNode node)
        {
            var text = Scalar(info, node);
            return CachemoverValueRules.TryParseBoolean(text, out var value)
                ? value
                : throw Error(sourcePath, node.Start, $"key '{info.Name}' expects {info.Expected}, but has '{Show(text)}'");
        }

        private string ReadText(CachemoverKeyInfo info, YamlNode node)
        {
            var text = Scalar(info, node);
            var problem = CachemoverValueRules.ProblemWithText(info, text);
            return problem is null
                ? text
                : throw Error(sourcePath, node.Start, $"key '{info.Name}' expects {info.Expected}, but has '{Show(text)}': {problem}");
        }

        private List<ServerEndpoint> ReadEndpoints(CachemoverKeyInfo info, YamlNode node)
        {
            if (node is not YamlSequenceNode sequence)
            {
                throw node is YamlScalarNode scalar && IsNull(scalar)
                    ? Error(sourcePath, node.Start, $"key '{info.Name}' has no value; give {info.Expected} (one '- \"ip:port\"' line each) or remove the key")
                    : Error(sourcePath, node.Start, $"key '{info.Name}' expects {info.Expected} (one '- \"ip:port\"' line each), but has {Describe(node)}");
            }
            var endpoints = new List<ServerEndpoint>(sequence.Children.Count);
            var seen = new Dictionary<ServerEndpoint, Mark>();
            foreach (var item in sequence.Children)
            {
                if (item is not YamlScalarNode { Value: { } text } scalar || IsNull(scalar))
                    throw Error(sourcePath, item.Start, $"an entry of '{info.Name}' must be an \"ip:port\" string, but this one is {Describe(item)}");
                if (!CachemoverValueRules.TryParseEndpoint(text, out var endpoint, out var problem))
                    throw Error(sourcePath, item.Start, $"an entry of '{info.Name}' must be an \"ip:port\" string, but '{Show(text)}' is not: {problem}");
                if (seen.TryGetValue(endpoint, out var first))
                    throw Error(sourcePath, item.Start, $"'{info.Name}' lists '{endpoint}' a second time (first at line {first.Line}); list each server once");
                seen.Add(endpoint, item.Start);
                endpoints.Add(endpoint);
            }
            return endpoints;
        }
    }

    /// <summary>A YAML null: an empty plain value, <c>~</c> or <c>null</c> (a quoted "null" is text).</summary>
    private static bool IsNull(YamlNode node)
        => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar
           && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping of keys to values",
        YamlScalarNode scalar when IsNull(scalar) => "no value",
        YamlScalarNode scalar => $"'{Show(scalar.Value ?? string.Empty)}'",
        _ => "an alias",
    };

    private static string Show(string text) => MessageText.Show(text);

    /// <summary>YamlDotNet prefixes its messages with the marks; the error already says where.</summary>
    private static string StripMarks(string message)
    {
        var i = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && i >= 0 ? message[(i + 3)..] : message;
    }

    private static MemcacheException Error(string sourcePath, Mark? at, string problem, Exception? inner = null)
    {
        var where = at is { } mark
            ? $"Configuration file '{sourcePath}', line {mark.Line}, column {mark.Column}"
            : $"Configuration file '{sourcePath}'";
        return new MemcacheException(MemcacheErrorKind.InvalidArgument, "ConfigInvalid", $"{where}: {problem}.", sourcePath, inner);
    }
}
